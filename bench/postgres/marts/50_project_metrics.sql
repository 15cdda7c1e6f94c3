-- project_metrics: as sql/marts/50_project_metrics.sql.
-- Dialect: integer / integer is integer division in PostgreSQL and a DOUBLE in DuckDB, so every ratio casts
-- its numerator to float8; to_days(n) -> make_interval(days => n); median(x) -> percentile_cont(0.5)
-- WITHIN GROUP (ORDER BY x) (both interpolate between the two middle values); date_diff('second', a, b)
-- -> date_diff_seconds(a, b) (bench/postgres/00_raw.sql), divided as float8 like DuckDB's DOUBLE;
-- GROUP BY ALL -> the grouping columns named; a subquery in FROM needs an alias.
CREATE TABLE project_metrics AS
WITH run AS (SELECT as_of, as_of_ts FROM stg_run),
windows AS (
    SELECT
        p.project,
        run.as_of,
        w.window_days,
        run.as_of_ts - make_interval(days => w.window_days) AS window_start,
        run.as_of_ts AS window_end,
        run.as_of_ts - make_interval(days => 2 * w.window_days) AS previous_start
    FROM stg_projects AS p
    CROSS JOIN run
    CROSS JOIN (VALUES (30), (90), (365)) AS w(window_days)
),
scoped AS (
    SELECT w.window_days, c.*, c.occurred_at >= w.window_start AS in_window
    FROM windows AS w
    JOIN contributions AS c
      ON c.project = w.project AND c.occurred_at >= w.previous_start AND c.occurred_at < w.window_end
),
activity AS (
    SELECT
        project,
        window_days,
        count(*) FILTER (WHERE in_window AND actor_class <> 'bot' AND kind = 'issue_opened') AS issues_opened,
        count(DISTINCT actor_login) FILTER (WHERE in_window AND actor_class <> 'bot' AND kind = 'issue_opened')
            AS unique_issue_authors,
        count(DISTINCT actor_login) FILTER (WHERE in_window AND actor_class = 'external' AND kind = 'issue_opened')
            AS unique_outside_issue_authors,
        count(DISTINCT actor_login) FILTER (
            WHERE in_window AND actor_class_at_time = 'external' AND kind = 'issue_opened'
        ) AS unique_outside_issue_authors_at_time,
        count(*) FILTER (WHERE in_window AND actor_class <> 'bot' AND kind = 'pr_opened') AS prs_opened,
        count(*) FILTER (WHERE in_window AND actor_class = 'external' AND kind = 'pr_opened') AS external_prs_opened,
        count(*) FILTER (WHERE in_window AND actor_class_at_time = 'external' AND kind = 'pr_opened')
            AS external_prs_opened_at_time,
        count(*) FILTER (WHERE in_window AND actor_class <> 'bot' AND kind = 'commit') AS commits,
        count(*) FILTER (WHERE in_window AND actor_class <> 'bot' AND kind = 'review') AS reviews,
        count(*) FILTER (WHERE in_window AND actor_class <> 'bot' AND kind = 'comment') AS comments,
        count(*) FILTER (WHERE in_window AND actor_class <> 'bot') AS contributions,
        count(*) FILTER (WHERE NOT in_window AND actor_class <> 'bot') AS previous_contributions,
        count(*) FILTER (WHERE in_window AND actor_class = 'core') AS core_contributions,
        count(*) FILTER (WHERE in_window AND actor_class = 'external') AS external_contributions,
        count(*) FILTER (WHERE in_window AND actor_class_at_time = 'core') AS core_contributions_at_time,
        count(*) FILTER (WHERE in_window AND actor_class_at_time = 'external') AS external_contributions_at_time,
        count(*) FILTER (WHERE in_window) AS all_contributions,
        count(*) FILTER (WHERE in_window AND actor_class = 'bot') AS bot_contributions,
        count(*) FILTER (WHERE in_window AND is_ai_agent) AS ai_agent_contributions,
        count(DISTINCT actor_login) FILTER (WHERE in_window AND actor_class <> 'bot') AS active_contributors
    FROM scoped
    GROUP BY project, window_days
),
newcomers AS (
    SELECT w.project, w.window_days, count(*) AS new_contributors
    FROM windows AS w
    JOIN contributors AS c
      ON c.project = w.project
     AND c.first_contribution_at >= w.window_start AND c.first_contribution_at < w.window_end
    WHERE c.class <> 'bot'
    GROUP BY w.project, w.window_days
),
pull_requests AS (
    SELECT
        w.project,
        w.window_days,
        count(*) FILTER (WHERE i.merged_at >= w.window_start) AS prs_merged,
        count(*) FILTER (WHERE i.merged_at IS NULL AND i.closed_at >= w.window_start) AS prs_closed_unmerged,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY date_diff_seconds(i.created_at, i.merged_at)::float8 / 3600.0)
            FILTER (WHERE i.merged_at >= w.window_start) AS median_pr_merge_hours
    FROM windows AS w
    JOIN stg_items AS i
      ON i.project = w.project AND i.is_pull_request AND NOT i.author_is_bot
     AND coalesce(i.merged_at, i.closed_at) >= w.window_start AND coalesce(i.merged_at, i.closed_at) < w.window_end
    GROUP BY w.project, w.window_days
),
responses AS (
    SELECT
        w.project,
        w.window_days,
        percentile_cont(0.5) WITHIN GROUP (
            ORDER BY greatest(date_diff_seconds(i.created_at, i.first_response_at), 0)::float8 / 3600.0
        ) FILTER (WHERE i.first_response_at IS NOT NULL) AS median_first_response_hours,
        count(*) FILTER (WHERE i.first_response_at IS NOT NULL) AS answered_items,
        count(*) FILTER (WHERE i.first_response_at IS NULL) AS unanswered_items
    FROM windows AS w
    JOIN stg_items AS i
      ON i.project = w.project AND NOT i.author_is_bot
     AND i.created_at >= w.window_start AND i.created_at < w.window_end
    GROUP BY w.project, w.window_days
),
window_commits AS (
    SELECT w.project, w.window_days, c.organisation
    FROM windows AS w
    JOIN stg_commits AS c
      ON c.project = w.project AND NOT c.is_bot
     AND c.occurred_at >= w.window_start AND c.occurred_at < w.window_end
),
commit_orgs AS (
    SELECT
        project,
        window_days,
        (count(*) FILTER (WHERE organisation = 'independent'))::float8 / nullif(count(*), 0) AS independent_commit_share,
        count(*) FILTER (WHERE organisation IS NOT NULL AND organisation <> 'independent') AS organisation_commits
    FROM window_commits
    GROUP BY project, window_days
),
holdings AS (
    SELECT w.project, w.window_days, 'lottery' AS factor, i.author_lower AS holder, count(*) AS n
    FROM windows AS w
    JOIN stg_items AS i
      ON i.project = w.project AND i.is_pull_request AND NOT i.author_is_bot
     AND i.merged_at >= w.window_start AND i.merged_at < w.window_end
    GROUP BY w.project, w.window_days, i.author_lower
    UNION ALL
    SELECT project, window_days, 'elephant', organisation, count(*)
    FROM window_commits
    WHERE organisation IS NOT NULL AND organisation <> 'independent'
    GROUP BY project, window_days, organisation
),
factors AS (
    SELECT
        project,
        window_days,
        min(position) FILTER (WHERE factor = 'lottery' AND 2 * running >= total) AS lottery_factor,
        min(position) FILTER (WHERE factor = 'elephant' AND 2 * running >= total) AS elephant_factor
    FROM (
        SELECT
            *,
            row_number() OVER (PARTITION BY project, window_days, factor ORDER BY n DESC, holder) AS position,
            sum(n) OVER (
                PARTITION BY project, window_days, factor ORDER BY n DESC, holder ROWS UNBOUNDED PRECEDING
            ) AS running,
            sum(n) OVER (PARTITION BY project, window_days, factor) AS total
        FROM holdings
    ) AS ranked
    GROUP BY project, window_days
)
SELECT
    w.project,
    w.as_of,
    w.window_days,
    w.window_start,
    coalesce(a.issues_opened, 0) AS issues_opened,
    coalesce(a.unique_issue_authors, 0) AS unique_issue_authors,
    coalesce(a.unique_outside_issue_authors, 0) AS unique_outside_issue_authors,
    coalesce(a.prs_opened, 0) AS prs_opened,
    coalesce(pr.prs_merged, 0) AS prs_merged,
    coalesce(a.contributions, 0) AS contributions,
    coalesce(a.contributions, 0)::float8 / (w.window_days / 7.0::float8) AS contribution_velocity,
    a.contributions::float8 / nullif(a.previous_contributions, 0) - 1 AS velocity_change,
    a.external_contributions::float8 / nullif(a.contributions, 0) AS external_share,
    a.core_contributions::float8 / nullif(a.external_contributions, 0) AS core_external_ratio,
    a.external_prs_opened::float8 / nullif(a.prs_opened, 0) AS external_pr_share,
    coalesce(a.active_contributors, 0) AS active_contributors,
    coalesce(n.new_contributors, 0) AS new_contributors,
    f.lottery_factor,
    f.elephant_factor,
    co.independent_commit_share,
    r.median_first_response_hours,
    coalesce(r.unanswered_items, 0) AS unanswered_items,
    pr.median_pr_merge_hours,
    pr.prs_merged::float8 / nullif(pr.prs_merged + pr.prs_closed_unmerged, 0) AS pr_acceptance_ratio,
    a.bot_contributions::float8 / nullif(a.all_contributions, 0) AS bot_share,
    a.ai_agent_contributions::float8 / nullif(a.all_contributions, 0) AS ai_agent_share,
    coalesce(r.answered_items, 0) AS answered_items,
    coalesce(pr.prs_closed_unmerged, 0) AS prs_closed_unmerged,
    coalesce(a.external_prs_opened, 0) AS external_prs_opened,
    coalesce(a.commits, 0) AS commits,
    coalesce(co.organisation_commits, 0) AS organisation_commits,
    coalesce(a.reviews, 0) AS reviews,
    coalesce(a.comments, 0) AS comments,
    coalesce(a.core_contributions, 0) AS core_contributions,
    coalesce(a.external_contributions, 0) AS external_contributions,
    coalesce(a.bot_contributions, 0) AS bot_contributions,
    coalesce(a.ai_agent_contributions, 0) AS ai_agent_contributions,
    coalesce(a.previous_contributions, 0) AS previous_contributions,
    coalesce(a.unique_outside_issue_authors_at_time, 0) AS unique_outside_issue_authors_at_time,
    a.external_contributions_at_time::float8 / nullif(a.contributions, 0) AS external_share_at_time,
    a.core_contributions_at_time::float8 / nullif(a.external_contributions_at_time, 0) AS core_external_ratio_at_time,
    a.external_prs_opened_at_time::float8 / nullif(a.prs_opened, 0) AS external_pr_share_at_time
FROM windows AS w
LEFT JOIN activity AS a USING (project, window_days)
LEFT JOIN newcomers AS n USING (project, window_days)
LEFT JOIN pull_requests AS pr USING (project, window_days)
LEFT JOIN responses AS r USING (project, window_days)
LEFT JOIN factors AS f USING (project, window_days)
LEFT JOIN commit_orgs AS co USING (project, window_days)
ORDER BY w.project, w.window_days;
