-- stg_core_reasons: as sql/staging/30_stg_core_reasons.sql.
-- Dialect: a subquery in FROM needs an alias in PostgreSQL.
CREATE TABLE stg_core_reasons AS
SELECT DISTINCT project, login_lower, reason, rule_order
FROM (
    SELECT r.project, r.login_lower, 'maintainer_file:' || r.path || ' (' || r.role || ')' AS reason, 1 AS rule_order
    FROM maintainer_roles AS r
    WHERE r.is_head
      AND r.role IN ('approver', 'reviewer', 'maintainer', 'codeowner')
      AND r.project IN (SELECT project FROM stg_projects)
    UNION ALL
    SELECT e.project, e.login_lower, 'author_association:' || e.author_association,
           CASE e.author_association WHEN 'OWNER' THEN 2 ELSE 3 END
    FROM stg_events AS e
    WHERE e.author_association IN ('OWNER', 'COLLABORATOR')
    UNION ALL
    SELECT e.project, e.login_lower, 'author_association:MEMBER (org members are core)', 4
    FROM stg_events AS e
    JOIN stg_projects AS p USING (project)
    WHERE e.author_association = 'MEMBER' AND p.org_members_are_core
    UNION ALL
    SELECT project, unnest(core_lower), 'registry:core', 5
    FROM stg_projects
) AS reasons;
ANALYZE stg_core_reasons;
