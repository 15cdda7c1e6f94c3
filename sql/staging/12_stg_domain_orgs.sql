-- stg_domain_orgs: one row per (project, e-mail domain) the registry maps to one organisation.
CREATE OR REPLACE VIEW stg_domain_orgs AS
SELECT project, lower(trim(entry.key)) AS domain, entry.value AS organisation
FROM (
    SELECT project, unnest(map_entries(domain_orgs)) AS entry
    FROM raw_projects
    WHERE domain_orgs IS NOT NULL AND project IN (SELECT project FROM vitals_run_projects)
);
