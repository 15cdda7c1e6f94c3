-- stg_events: as sql/staging/20_stg_events.sql (no dialect difference but the ANALYZE: PostgreSQL plans
-- the next models from statistics, so every materialised model is analysed, as a PostgreSQL user would).
CREATE TABLE stg_events AS
WITH events AS (
    SELECT
        project, repo,
        CASE WHEN is_pull_request THEN 'pr_opened' ELSE 'issue_opened' END AS kind,
        repo || '#' || number AS ref,
        number,
        coalesce(author_login, 'ghost') AS login,
        author_type, author_association, created_at AS occurred_at,
        CAST(NULL AS text) AS email_domain
    FROM raw_issues
    UNION ALL
    SELECT
        project, repo, 'review', repo || '#' || pr_number || '/review/' || id, pr_number,
        coalesce(author_login, 'ghost'), author_type, author_association, submitted_at, NULL
    FROM raw_reviews
    UNION ALL
    SELECT
        project, repo, 'comment', repo || '#' || issue_number || '/comment/' || id, issue_number,
        coalesce(author_login, 'ghost'), author_type, author_association, created_at, NULL
    FROM raw_comments
    UNION ALL
    SELECT
        project, repo, 'commit', repo || '@' || sha, NULL,
        coalesce(nullif(trim(author_login), ''), 'name:' || lower(trim(coalesce(author_name, 'unknown')))),
        author_type, NULL, authored_at, nullif(lower(trim(author_email_domain)), '')
    FROM raw_commits
)
SELECT e.*, lower(e.login) AS login_lower
FROM events AS e
WHERE e.occurred_at < (SELECT as_of_ts FROM stg_run)
  AND e.project IN (SELECT project FROM stg_projects);
ANALYZE stg_events;
