-- stg_projects: one row per registry project of this build (vitals_run_projects), with its extra login
-- lists lower-cased once here, since every login comparison is case-insensitive.
CREATE OR REPLACE VIEW stg_projects AS
SELECT
    p.project,
    p.name,
    p.repos,
    p.former_names,
    p.maintainer_files,
    p.org_members_are_core,
    list_transform(p.core, lambda x: lower(trim(x))) AS core_lower,
    list_transform(p.bots, lambda x: lower(trim(x))) AS bots_lower,
    list_transform(p.ai_agents, lambda x: lower(trim(x))) AS ai_agents_lower,
    p.cncf_maturity,
    p.conformance_aliases
FROM raw_projects AS p
WHERE p.project IN (SELECT project FROM vitals_run_projects);
