-- stg_projects: as sql/staging/11_stg_projects.sql.
-- Dialect: list_transform(l, lambda x: f(x)) -> ARRAY(SELECT f(x) FROM unnest(l) WITH ORDINALITY ... ORDER BY i).
CREATE VIEW stg_projects AS
SELECT
    p.project,
    p.name,
    p.repos,
    p.former_names,
    p.maintainer_files,
    p.org_members_are_core,
    ARRAY(SELECT lower(trim(x)) FROM unnest(p.core) WITH ORDINALITY AS u(x, i) ORDER BY i) AS core_lower,
    ARRAY(SELECT lower(trim(x)) FROM unnest(p.bots) WITH ORDINALITY AS u(x, i) ORDER BY i) AS bots_lower,
    ARRAY(SELECT lower(trim(x)) FROM unnest(p.ai_agents) WITH ORDINALITY AS u(x, i) ORDER BY i) AS ai_agents_lower,
    p.cncf_maturity,
    p.conformance_aliases
FROM raw_projects AS p
WHERE p.project IN (SELECT project FROM vitals_run_projects);
