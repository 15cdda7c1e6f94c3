-- conformance_submissions: one row per CNCF AI Conformance submission (version, platform, source).
-- A platform may appear once per source: the crawled repo, a local results folder, and that folder's JUnit run.
-- gate: PASS when the submission is valid and of one of the two newest checklist versions (it can give a
-- project PASS), otherwise WARN. reasons: every problem found, '; '-separated ('' when valid).
CREATE OR REPLACE VIEW conformance_submissions AS
WITH newest AS (
    SELECT version
    FROM (SELECT DISTINCT version, major, minor FROM stg_conformance_checklists)
    ORDER BY major DESC, minor DESC
    LIMIT 2
),
reasons AS (
    SELECT version, platform, source,
           string_agg(code || ': ' || detail, '; ' ORDER BY reason_no) AS reasons,
           string_agg(DISTINCT code, ', ' ORDER BY code) AS reason_codes
    FROM stg_conformance_reasons
    GROUP BY ALL
)
SELECT s.version,
       s.platform,
       s.source,
       s.vendor,
       s.platform_name,
       s.valid AND r.reasons IS NULL AS valid,
       CASE WHEN s.valid AND r.reasons IS NULL AND s.version IN (SELECT version FROM newest)
            THEN 'PASS' ELSE 'WARN' END AS gate,
       coalesce(r.reasons, '') AS reasons,
       coalesce(r.reason_codes, '') AS reason_codes,
       s.reason_count,
       s.must_total,
       s.must_implemented,
       s.should_total,
       s.should_implemented,
       s.requirements,
       s.version IN (SELECT version FROM newest) AS current_checklist,
       s.kind,
       s.path,
       s.platform_version,
       s.kubernetes_version,
       s.checklist_source
FROM stg_conformance_submissions s
LEFT JOIN reasons r USING (version, platform, source);
