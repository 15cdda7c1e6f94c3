-- stg_commits: one row per commit contribution (see stg_events) with its author's organisation.
-- organisation: the registry's domain_orgs entry for the e-mail domain if there is one; else `independent`
-- for a free-mail or noreply domain or a sub-domain of one (ref_independent_domains, loaded from
-- metrics/organisations.py, as CNCF DevStats does); else the domain itself; NULL when the domain is unknown.
CREATE OR REPLACE VIEW stg_commits AS
SELECT
    e.project, e.repo, e.ref, e.login_lower, e.occurred_at, e.email_domain,
    a.is_bot,
    CASE
        WHEN m.organisation IS NOT NULL THEN m.organisation
        WHEN e.email_domain IS NULL THEN NULL
        WHEN EXISTS (
            SELECT 1 FROM ref_independent_domains AS d
            WHERE e.email_domain = d.domain OR ends_with(e.email_domain, '.' || d.domain)
        ) THEN 'independent'
        ELSE e.email_domain
    END AS organisation
FROM stg_events AS e
JOIN stg_accounts AS a USING (project, login_lower)
LEFT JOIN stg_domain_orgs AS m ON m.project = e.project AND m.domain = e.email_domain
WHERE e.kind = 'commit';
