-- stg_items: one row per issue or pull request created before as_of, with its author's account flags and
-- its first response: the earliest comment or review before as_of by a non-bot other than the author.
-- Merges and closes at or after as_of are not known yet at as_of: merged_at / closed_at are NULLed then.
CREATE OR REPLACE TABLE stg_items AS
WITH run AS (SELECT as_of_ts FROM stg_run),
responses AS (
    SELECT e.project, e.repo, e.number, e.login_lower, e.occurred_at
    FROM stg_events AS e
    JOIN stg_accounts AS a USING (project, login_lower)
    WHERE e.kind IN ('comment', 'review') AND NOT a.is_bot
),
items AS (
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
)
SELECT
    i.*,
    a.is_bot AS author_is_bot,
    a.class AS author_class,
    (SELECT min(r.occurred_at)
     FROM responses AS r
     WHERE r.project = i.project AND r.repo = i.repo AND r.number = i.number
       AND r.login_lower <> i.author_lower) AS first_response_at
FROM items AS i
JOIN stg_accounts AS a ON a.project = i.project AND a.login_lower = i.author_lower;
