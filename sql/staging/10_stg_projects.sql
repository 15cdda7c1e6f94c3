-- stg_run: one row, the build's as_of (a DATE, written by metrics/build.py with a bound parameter) and the
-- same instant as a TIMESTAMP: the exclusive end of every window and of the history the marts describe.
CREATE OR REPLACE VIEW stg_run AS
SELECT as_of, CAST(as_of AS TIMESTAMP) AS as_of_ts
FROM vitals_run
LIMIT 1;

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

-- stg_domain_orgs: one row per (project, e-mail domain) the registry maps to one organisation.
CREATE OR REPLACE VIEW stg_domain_orgs AS
SELECT project, lower(trim(entry.key)) AS domain, entry.value AS organisation
FROM (
    SELECT project, unnest(map_entries(domain_orgs)) AS entry
    FROM raw_projects
    WHERE domain_orgs IS NOT NULL AND project IN (SELECT project FROM vitals_run_projects)
);
