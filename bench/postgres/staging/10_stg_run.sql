-- stg_run: as sql/staging/10_stg_run.sql (no dialect difference).
CREATE VIEW stg_run AS
SELECT as_of, CAST(as_of AS TIMESTAMP) AS as_of_ts
FROM vitals_run
LIMIT 1;
