-- projects: one row per tracked project (the registry as the crawler stored it in raw_projects).
CREATE OR REPLACE VIEW projects AS
SELECT
    project,
    name,
    repos,
    former_names,
    cncf_maturity,
    org_members_are_core,
    maintainer_files,
    conformance_aliases
FROM stg_projects;
