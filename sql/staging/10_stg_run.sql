-- stg_run: one row, the build's as_of (a DATE, written by metrics/build.py with a bound parameter) and the
-- same instant as a TIMESTAMP: the exclusive end of every window and of the history the marts describe.
CREATE OR REPLACE VIEW stg_run AS
SELECT as_of, CAST(as_of AS TIMESTAMP) AS as_of_ts
FROM vitals_run
LIMIT 1;
