-- contributions: one row per contribution before as_of (bots kept, with class `bot`); key
-- (project, kind, ref, actor_login, occurred_at). kind: issue_opened | pr_opened | review | comment | commit.
-- actor_login: the login (spelled as in its latest contribution), or `name:<author name>` for a commit whose
--   e-mail is linked to no GitHub account. number: the issue or PR number (NULL for commits).
-- actor_class: today's class of the actor (see stg_accounts / stg_core_reasons): bot | core | external.
-- actor_class_at_time: bot stays bot. Otherwise core when, at occurred_at, any of:
--   - a maintainer-file version valid then (valid_from <= occurred_at < valid_to, valid_to NULL = still
--     valid) names the actor approver, reviewer, maintainer or codeowner (emeritus does not count);
--   - the actor is listed under `core` in the registry;
--   - this same item carries author_association OWNER or COLLABORATOR, or MEMBER where the project's
--     org_members_are_core (commits carry no author_association).
--   Else external. This is what "was core when it happened" can be told from the data we have.
-- The maintainer-file test reads each (project, login)'s role intervals as one list, joined on the login: a
-- correlated EXISTS here made DuckDB deduplicate all (project, login, occurred_at) of stg_events first
-- (about 40% of this build's time and 2 GB of memory at 10M contributions).
-- No ORDER BY: rows are stored in join order (queries that need an order say so). Sorting the table by
-- (project, occurred_at, kind, ref) took a quarter of the build's time and its whole peak memory (3.3 GB at
-- 10M contributions, python -m bench --scale large) and no model reads it in that order.
CREATE OR REPLACE TABLE contributions AS
WITH core_spans AS (
    SELECT project, login_lower, list({'valid_from': valid_from, 'valid_to': valid_to}) AS spans
    FROM maintainer_roles
    WHERE role IN ('approver', 'reviewer', 'maintainer', 'codeowner')
    GROUP BY project, login_lower
)
SELECT
    e.project,
    e.kind,
    e.ref,
    a.login AS actor_login,
    e.occurred_at,
    e.repo,
    e.number,
    a.class AS actor_class,
    CASE
        WHEN a.is_bot THEN 'bot'
        WHEN a.is_registry_core
            OR e.author_association IN ('OWNER', 'COLLABORATOR')
            OR (e.author_association = 'MEMBER' AND p.org_members_are_core)
            OR list_bool_or(list_transform(
                s.spans, lambda r: r.valid_from <= e.occurred_at AND (r.valid_to IS NULL OR e.occurred_at < r.valid_to)
            ))
        THEN 'core'
        ELSE 'external'
    END AS actor_class_at_time,
    a.is_ai_agent
FROM stg_events AS e
JOIN stg_accounts AS a USING (project, login_lower)
JOIN stg_projects AS p USING (project)
LEFT JOIN core_spans AS s USING (project, login_lower);
