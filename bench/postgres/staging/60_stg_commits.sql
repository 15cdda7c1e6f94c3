-- stg_commits: as sql/staging/60_stg_commits.sql.
-- Dialect: ends_with(d, '.' || x) -> right(d, length(x) + 1) = '.' || x.
CREATE VIEW stg_commits AS
SELECT
    e.project, e.repo, e.ref, e.login_lower, e.occurred_at, e.email_domain,
    a.is_bot,
    CASE
        WHEN m.organisation IS NOT NULL THEN m.organisation
        WHEN e.email_domain IS NULL THEN NULL
        WHEN EXISTS (
            SELECT 1 FROM ref_independent_domains AS d
            WHERE e.email_domain = d.domain OR right(e.email_domain, length(d.domain) + 1) = '.' || d.domain
        ) THEN 'independent'
        ELSE e.email_domain
    END AS organisation
FROM stg_events AS e
JOIN stg_accounts AS a USING (project, login_lower)
LEFT JOIN stg_domain_orgs AS m ON m.project = e.project AND m.domain = e.email_domain
WHERE e.kind = 'commit';
