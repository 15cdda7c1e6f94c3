-- weekly_activity: as sql/marts/40_weekly_activity.sql.
-- Dialect: unnest(generate_series(…)) in the select list -> generate_series in FROM (LATERAL);
-- INTERVAL 1 DAY -> INTERVAL '1 day'; GROUP BY ALL -> the grouping columns named.
CREATE TABLE weekly_activity AS
WITH run AS (SELECT as_of, as_of_ts FROM stg_run),
bounds AS (
    SELECT project, date_trunc('week', min(occurred_at)) AS first_week
    FROM contributions
    GROUP BY project
),
weeks AS (
    SELECT b.project, CAST(g.week AS DATE) AS week
    FROM bounds AS b
    CROSS JOIN run
    CROSS JOIN LATERAL generate_series(
        b.first_week, date_trunc('week', run.as_of_ts - INTERVAL '1 day'), INTERVAL '7 days'
    ) AS g(week)
),
activity AS (
    SELECT
        project,
        CAST(date_trunc('week', occurred_at) AS DATE) AS week,
        count(*) FILTER (WHERE actor_class <> 'bot' AND kind = 'issue_opened') AS issues_opened,
        count(*) FILTER (WHERE actor_class <> 'bot' AND kind = 'pr_opened') AS prs_opened,
        count(*) FILTER (WHERE actor_class <> 'bot' AND kind = 'commit') AS commits,
        count(*) FILTER (WHERE actor_class <> 'bot' AND kind = 'review') AS reviews,
        count(*) FILTER (WHERE actor_class <> 'bot' AND kind = 'comment') AS comments,
        count(*) FILTER (WHERE actor_class <> 'bot') AS contributions,
        count(*) FILTER (WHERE actor_class = 'core') AS core_contributions,
        count(*) FILTER (WHERE actor_class = 'external') AS external_contributions,
        count(*) FILTER (WHERE actor_class_at_time = 'core') AS core_contributions_at_time,
        count(*) FILTER (WHERE actor_class_at_time = 'external') AS external_contributions_at_time,
        count(*) FILTER (WHERE actor_class = 'bot') AS bot_contributions,
        count(*) FILTER (WHERE is_ai_agent) AS ai_agent_contributions,
        count(DISTINCT actor_login) FILTER (WHERE actor_class <> 'bot') AS active_contributors
    FROM contributions
    GROUP BY 1, 2
),
merged AS (
    SELECT project, CAST(date_trunc('week', merged_at) AS DATE) AS week, count(*) AS prs_merged
    FROM stg_items
    WHERE is_pull_request AND merged_at IS NOT NULL AND NOT author_is_bot
    GROUP BY 1, 2
),
newcomers AS (
    SELECT project, CAST(date_trunc('week', first_contribution_at) AS DATE) AS week, count(*) AS new_contributors
    FROM contributors
    WHERE class <> 'bot'
    GROUP BY 1, 2
)
SELECT
    w.project,
    w.week,
    coalesce(a.issues_opened, 0) AS issues_opened,
    coalesce(a.prs_opened, 0) AS prs_opened,
    coalesce(m.prs_merged, 0) AS prs_merged,
    coalesce(a.commits, 0) AS commits,
    coalesce(a.reviews, 0) AS reviews,
    coalesce(a.comments, 0) AS comments,
    coalesce(a.contributions, 0) AS contributions,
    coalesce(a.core_contributions, 0) AS core_contributions,
    coalesce(a.external_contributions, 0) AS external_contributions,
    coalesce(a.core_contributions_at_time, 0) AS core_contributions_at_time,
    coalesce(a.external_contributions_at_time, 0) AS external_contributions_at_time,
    coalesce(a.bot_contributions, 0) AS bot_contributions,
    coalesce(a.ai_agent_contributions, 0) AS ai_agent_contributions,
    coalesce(a.active_contributors, 0) AS active_contributors,
    coalesce(n.new_contributors, 0) AS new_contributors,
    w.week + 7 <= run.as_of AS complete
FROM weeks AS w
CROSS JOIN run
LEFT JOIN activity AS a USING (project, week)
LEFT JOIN merged AS m USING (project, week)
LEFT JOIN newcomers AS n USING (project, week)
ORDER BY w.project, w.week;
ANALYZE weekly_activity;
