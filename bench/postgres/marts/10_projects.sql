-- projects: as sql/marts/10_projects.sql (no dialect difference).
CREATE VIEW projects AS
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
