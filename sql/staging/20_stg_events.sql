-- stg_events: one row per contribution (bots included) made before as_of, not yet classified.
-- A contribution is: an issue opened (kind issue_opened), a PR opened (pr_opened), a PR review submitted
-- (review), an issue or PR comment (comment), or a commit authored on the default branch (commit).
-- ref: `owner/name#N` for the issue or PR itself, `owner/name#N/review/<id>`, `owner/name#N/comment/<id>`,
-- `owner/name@<sha>` for a commit. occurred_at: created_at, submitted_at, or the commit's author date.
-- Commits: every commit on the default branch counts, merge commits included, as SPEC defines a
-- contribution (a merge commit made by a bot, e.g. Prow's, is a bot's and never counts). A commit whose e-mail is linked to no GitHub account gets the actor
-- `name:<author name, lower-cased>`, so it still counts and still has a stable identity.
-- Issues, comments and reviews whose author account was deleted (NULL login) are GitHub's `ghost`.
-- A view: each reader takes only the columns it needs straight from the raw tables. As a table, writing its
-- 10M rows of strings (read only by this build) was a quarter of the build at `python -m bench --scale large`.
CREATE OR REPLACE VIEW stg_events AS
WITH events AS (
    SELECT
        project, repo,
        CASE WHEN is_pull_request THEN 'pr_opened' ELSE 'issue_opened' END AS kind,
        repo || '#' || number AS ref,
        number,
        coalesce(author_login, 'ghost') AS login,
        author_type, author_association, created_at AS occurred_at,
        CAST(NULL AS VARCHAR) AS email_domain
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
