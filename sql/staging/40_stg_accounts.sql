-- stg_accounts: one row per (project, login_lower) with at least one contribution before as_of.
-- login: the spelling of the login in its latest contribution (logins compare case-insensitively).
-- is_ai_agent: the login (or the login without its `[bot]` suffix) is a shipped AI agent
--   (ref_bot_accounts, from pipelines.config.AI_AGENTS) or a registry `ai_agents` entry.
-- is_bot: GitHub says the account's type is Bot on any item of any project; or the login ends in `[bot]`,
--   `-bot` or `-robot`; or it (or it without `[bot]`) is a shipped bot (pipelines.config.DEFAULT_BOTS) or a
--   registry `bots` entry; or it is an AI agent. `name:` actors (commits with no linked account) are judged
--   on the name after the prefix.
-- class: bot | core (not a bot and at least one row in stg_core_reasons) | external.
-- core_reason: the stg_core_reasons of a core login, `; `-separated in rule_order (NULL unless core).
CREATE OR REPLACE TABLE stg_accounts AS
WITH typed AS (
    SELECT login_lower, coalesce(bool_or(author_type = 'Bot'), false) AS typed_bot
    FROM stg_events
    GROUP BY login_lower
),
seen AS (
    SELECT project, login_lower, arg_max(login, (occurred_at, login)) AS login
    FROM stg_events
    GROUP BY project, login_lower
),
named AS (
    SELECT s.*, t.typed_bot, regexp_replace(s.login_lower, '^name:', '') AS bare
    FROM seen AS s
    JOIN typed AS t USING (login_lower)
),
flagged AS (
    SELECT
        n.project, n.login_lower, n.login, n.typed_bot, n.bare,
        regexp_replace(n.bare, '\[bot\]$', '') AS stem,
        p.bots_lower, p.ai_agents_lower
    FROM named AS n
    JOIN stg_projects AS p USING (project)
),
agents AS (
    SELECT
        f.*,
        (f.bare IN (SELECT login_lower FROM ref_bot_accounts WHERE is_ai_agent)
         OR f.stem IN (SELECT login_lower FROM ref_bot_accounts WHERE is_ai_agent)
         OR list_contains(f.ai_agents_lower, f.bare)
         OR list_contains(f.ai_agents_lower, f.stem)) AS is_ai_agent
    FROM flagged AS f
),
bots AS (
    SELECT
        a.*,
        (a.is_ai_agent
         OR a.typed_bot
         OR ends_with(a.bare, '[bot]') OR ends_with(a.bare, '-bot') OR ends_with(a.bare, '-robot')
         OR a.bare IN (SELECT login_lower FROM ref_bot_accounts)
         OR a.stem IN (SELECT login_lower FROM ref_bot_accounts)
         OR list_contains(a.bots_lower, a.bare)
         OR list_contains(a.bots_lower, a.stem)) AS is_bot
    FROM agents AS a
),
reasons AS (
    SELECT project, login_lower, string_agg(reason, '; ' ORDER BY rule_order, reason) AS core_reason
    FROM stg_core_reasons
    GROUP BY project, login_lower
)
SELECT
    b.project,
    b.login_lower,
    b.login,
    b.is_bot,
    b.is_ai_agent,
    CASE WHEN b.is_bot THEN 'bot' WHEN r.core_reason IS NOT NULL THEN 'core' ELSE 'external' END AS class,
    CASE WHEN NOT b.is_bot THEN r.core_reason END AS core_reason,
    list_contains(p.core_lower, b.login_lower) AS is_registry_core
FROM bots AS b
JOIN stg_projects AS p USING (project)
LEFT JOIN reasons AS r USING (project, login_lower);
