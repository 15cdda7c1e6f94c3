-- stg_accounts: as sql/staging/40_stg_accounts.sql.
-- Dialect: arg_max(login, (occurred_at, login)) -> DISTINCT ON ordered by occurred_at DESC, login DESC (the
-- same row); list_contains(l, x) -> x = ANY(l) (the lists hold no NULLs, so the two agree);
-- ends_with(s, t) -> right(s, length(t)) = t.
CREATE TABLE stg_accounts AS
WITH typed AS (
    SELECT login_lower, coalesce(bool_or(author_type = 'Bot'), false) AS typed_bot
    FROM stg_events
    GROUP BY login_lower
),
seen AS (
    SELECT DISTINCT ON (project, login_lower) project, login_lower, login
    FROM stg_events
    ORDER BY project, login_lower, occurred_at DESC, login DESC
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
         OR f.bare = ANY(f.ai_agents_lower)
         OR f.stem = ANY(f.ai_agents_lower)) AS is_ai_agent
    FROM flagged AS f
),
bots AS (
    SELECT
        a.*,
        (a.is_ai_agent
         OR a.typed_bot
         OR right(a.bare, 5) = '[bot]' OR right(a.bare, 4) = '-bot' OR right(a.bare, 6) = '-robot'
         OR a.bare IN (SELECT login_lower FROM ref_bot_accounts)
         OR a.stem IN (SELECT login_lower FROM ref_bot_accounts)
         OR a.bare = ANY(a.bots_lower)
         OR a.stem = ANY(a.bots_lower)) AS is_bot
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
    b.login_lower = ANY(p.core_lower) AS is_registry_core
FROM bots AS b
JOIN stg_projects AS p USING (project)
LEFT JOIN reasons AS r USING (project, login_lower);
ANALYZE stg_accounts;
