-- stg_items: as sql/staging/50_stg_items.sql.
-- Dialect: the first response is a correlated scalar subquery in DuckDB, which DuckDB decorrelates into a
-- join and a grouping by the outer columns it reads. PostgreSQL runs a correlated subquery once per item
-- (a scan of every response each time), so it is written here in the decorrelated form a PostgreSQL user
-- would write: the same minimum, grouped by exactly the columns the subquery depends on. `items` is read
-- twice; NOT MATERIALIZED lets the planner see the base table's statistics instead of a CTE guess (which
-- led it into a nested loop over stg_accounts: 100 s at the small scale).
CREATE TABLE stg_items AS
WITH run AS (SELECT as_of_ts FROM stg_run),
responses AS (
    SELECT e.project, e.repo, e.number, e.login_lower, e.occurred_at
    FROM stg_events AS e
    JOIN stg_accounts AS a USING (project, login_lower)
    WHERE e.kind IN ('comment', 'review') AND NOT a.is_bot
),
items AS NOT MATERIALIZED (
    SELECT
        i.project, i.repo, i.number, i.is_pull_request,
        coalesce(i.author_login, 'ghost') AS author_login,
        lower(coalesce(i.author_login, 'ghost')) AS author_lower,
        i.created_at,
        CASE WHEN i.merged_at < run.as_of_ts THEN i.merged_at END AS merged_at,
        CASE WHEN i.closed_at < run.as_of_ts AND i.state = 'closed' THEN i.closed_at END AS closed_at
    FROM raw_issues AS i, run
    WHERE i.created_at < run.as_of_ts
      AND i.project IN (SELECT project FROM stg_projects)
),
first_responses AS (
    SELECT i.project, i.repo, i.number, i.author_lower, min(r.occurred_at) AS first_response_at
    FROM items AS i
    JOIN responses AS r
      ON r.project = i.project AND r.repo = i.repo AND r.number = i.number AND r.login_lower <> i.author_lower
    GROUP BY i.project, i.repo, i.number, i.author_lower
)
SELECT
    i.*,
    a.is_bot AS author_is_bot,
    a.class AS author_class,
    f.first_response_at
FROM items AS i
JOIN stg_accounts AS a ON a.project = i.project AND a.login_lower = i.author_lower
LEFT JOIN first_responses AS f
  ON f.project = i.project AND f.repo = i.repo AND f.number = i.number AND f.author_lower = i.author_lower;
ANALYZE stg_items;
