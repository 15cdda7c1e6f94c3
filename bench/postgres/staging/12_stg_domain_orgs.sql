-- stg_domain_orgs: as sql/staging/12_stg_domain_orgs.sql.
-- Dialect: DuckDB's MAP is a jsonb object here: unnest(map_entries(m)) -> jsonb_each_text(m).
CREATE VIEW stg_domain_orgs AS
SELECT p.project, lower(trim(entry.key)) AS domain, entry.value AS organisation
FROM raw_projects AS p
CROSS JOIN LATERAL jsonb_each_text(p.domain_orgs) AS entry(key, value)
WHERE p.domain_orgs IS NOT NULL AND p.project IN (SELECT project FROM vitals_run_projects);
