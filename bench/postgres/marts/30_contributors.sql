-- contributors: as sql/marts/30_contributors.sql.
-- Dialect: GROUP BY ALL -> the grouping columns named; arg_min(org, (-n, org)) FILTER (…) -> the first
-- element of array_agg(org ORDER BY n DESC, org) FILTER (…) (the same organisation, NULL when none).
CREATE TABLE contributors AS
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
    GROUP BY project, login_lower, organisation
),
orgs AS (
    SELECT
        project, login_lower,
        (array_agg(organisation ORDER BY n DESC, organisation) FILTER (WHERE organisation <> 'independent'))[1]
            AS main_org,
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
ANALYZE contributors;
