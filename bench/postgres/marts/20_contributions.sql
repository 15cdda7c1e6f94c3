-- contributions: as sql/marts/20_contributions.sql.
-- Dialect: DuckDB tests "named core by a maintainer-file version valid at occurred_at" on a list of each
-- (project, login)'s role intervals (list_bool_or over list_transform); here those intervals are one
-- tsmultirange and the test is a containment: [valid_from, valid_to) holds occurred_at exactly when
-- valid_from <= occurred_at AND (valid_to IS NULL OR occurred_at < valid_to). Intervals with
-- valid_to <= valid_from hold nothing either way and are left out (tsrange rejects them).
CREATE TABLE contributions AS
WITH core_spans AS (
    SELECT project, login_lower, range_agg(tsrange(valid_from, valid_to, '[)')) AS spans
    FROM maintainer_roles
    WHERE role IN ('approver', 'reviewer', 'maintainer', 'codeowner')
      AND (valid_to IS NULL OR valid_to > valid_from)
    GROUP BY project, login_lower
)
SELECT
    e.project,
    e.kind,
    e.ref,
    a.login AS actor_login,
    e.occurred_at,
    e.repo,
    e.number,
    a.class AS actor_class,
    CASE
        WHEN a.is_bot THEN 'bot'
        WHEN a.is_registry_core
            OR e.author_association IN ('OWNER', 'COLLABORATOR')
            OR (e.author_association = 'MEMBER' AND p.org_members_are_core)
            OR s.spans @> e.occurred_at
        THEN 'core'
        ELSE 'external'
    END AS actor_class_at_time,
    a.is_ai_agent
FROM stg_events AS e
JOIN stg_accounts AS a USING (project, login_lower)
JOIN stg_projects AS p USING (project)
LEFT JOIN core_spans AS s USING (project, login_lower);
ANALYZE contributions;
