-- contributors: one row per (project, login) with at least one contribution before as_of (bots included,
-- class `bot`). class and core_reason: see stg_accounts and stg_core_reasons.
-- organisation: the organisation (see stg_commits) of most of the login's commits, leaving `independent`
--   ones aside (ties: alphabetical); else `independent` if any commit is on a free-mail/noreply domain;
--   else NULL (no commits, or only commits with an unknown domain).
CREATE OR REPLACE TABLE contributors AS
WITH activity AS (
    SELECT
        project, login_lower,
        min(occurred_at) AS first_contribution_at,
        max(occurred_at) AS last_contribution_at,
        count(*) AS contributions,
        count(*) FILTER (WHERE kind = 'issue_opened') AS issues_opened,
        count(*) FILTER (WHERE kind = 'pr_opened') AS prs_opened,
        count(*) FILTER (WHERE kind = 'review') AS reviews,
        count(*) FILTER (WHERE kind = 'comment') AS comments,
        count(*) FILTER (WHERE kind = 'commit') AS commits
    FROM stg_events
    GROUP BY project, login_lower
),
org_counts AS (
    SELECT project, login_lower, organisation, count(*) AS n
    FROM stg_commits
    WHERE organisation IS NOT NULL
    GROUP BY ALL
),
orgs AS (
    SELECT
        project, login_lower,
        arg_min(organisation, (-n, organisation)) FILTER (WHERE organisation <> 'independent') AS main_org,
        bool_or(organisation = 'independent') AS any_independent
    FROM org_counts
    GROUP BY project, login_lower
)
SELECT
    a.project,
    a.login,
    a.class,
    a.core_reason,
    a.is_ai_agent,
    act.first_contribution_at,
    act.last_contribution_at,
    act.contributions,
    act.issues_opened,
    act.prs_opened,
    act.reviews,
    act.comments,
    act.commits,
    coalesce(o.main_org, CASE WHEN o.any_independent THEN 'independent' END) AS organisation
FROM stg_accounts AS a
JOIN activity AS act USING (project, login_lower)
LEFT JOIN orgs AS o USING (project, login_lower)
ORDER BY a.project, a.login;
