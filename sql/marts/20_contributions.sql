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
CREATE OR REPLACE TABLE contributions AS
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
            OR EXISTS (
                SELECT 1
                FROM maintainer_roles AS r
                WHERE r.project = e.project
                  AND r.login_lower = e.login_lower
                  AND r.role IN ('approver', 'reviewer', 'maintainer', 'codeowner')
                  AND r.valid_from <= e.occurred_at
                  AND (r.valid_to IS NULL OR e.occurred_at < r.valid_to)
            )
        THEN 'core'
        ELSE 'external'
    END AS actor_class_at_time,
    a.is_ai_agent
FROM stg_events AS e
JOIN stg_accounts AS a USING (project, login_lower)
JOIN stg_projects AS p USING (project)
ORDER BY e.project, e.occurred_at, e.kind, e.ref;
