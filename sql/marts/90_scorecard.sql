-- The scorecard: rules as data, then every component scored per (project, window_days), then one row per
-- project. Inputs: project_metrics (the rows of the as_of in vitals_run), conformance_gate, projects.
-- No value is formatted into this file: as_of and source come from vitals_run, windows from project_metrics.

-- scorecard_rules: one row per (metric, band). A metric's value takes the points of the first band (lowest
-- band number) whose condition holds: op '>=' / '<=' compare with threshold, '=' with match_text, 'any'
-- catches every other non-NULL value, 'null' a missing value. per_90_days: the threshold is a count per
-- 90 days, scaled to the window (threshold * window_days / 90). condition is the band in words; {n} and
-- {window} stand for the scaled threshold (rounded up: counts are whole) and the window length.
CREATE OR REPLACE TABLE scorecard_rules AS
SELECT component, metric, CAST(band AS INTEGER) AS band, op, CAST(threshold AS DOUBLE) AS threshold,
       CAST(match_text AS VARCHAR) AS match_text, per_90_days, CAST(points AS INTEGER) AS points,
       CAST(max_points AS INTEGER) AS max_points, condition
FROM (VALUES
    ('community_pull', 'unique_outside_issue_authors', 1, '>=', 15.0, NULL, true, 20, 20,
        '≥ {n} outside issue authors in {window} days (15 per 90 days)'),
    ('community_pull', 'unique_outside_issue_authors', 2, '>=', 8.0, NULL, true, 15, 20,
        '≥ {n} outside issue authors in {window} days (8 per 90 days)'),
    ('community_pull', 'unique_outside_issue_authors', 3, '>=', 4.0, NULL, true, 10, 20,
        '≥ {n} outside issue authors in {window} days (4 per 90 days)'),
    ('community_pull', 'unique_outside_issue_authors', 4, '>=', 1.0, NULL, true, 5, 20,
        '≥ {n} outside issue author(s) in {window} days (1 per 90 days)'),
    ('community_pull', 'unique_outside_issue_authors', 5, 'any', 1.0, NULL, true, 0, 20,
        'fewer than {n} outside issue author(s) in {window} days'),
    ('diversity', 'external_share', 1, '>=', 0.50, NULL, false, 15, 15,
        'external contributors made ≥ 50% of contributions'),
    ('diversity', 'external_share', 2, '>=', 0.30, NULL, false, 10, 15,
        'external contributors made ≥ 30% of contributions'),
    ('diversity', 'external_share', 3, '>=', 0.15, NULL, false, 5, 15,
        'external contributors made ≥ 15% of contributions'),
    ('diversity', 'external_share', 4, 'any', NULL, NULL, false, 0, 15,
        'external contributors made < 15% of contributions'),
    ('diversity', 'external_share', 5, 'null', NULL, NULL, false, 0, 15,
        'no contributions in the window'),
    ('diversity', 'elephant_factor', 1, '>=', 3.0, NULL, false, 10, 10,
        '≥ 3 organisations needed to reach half of the commits'),
    ('diversity', 'elephant_factor', 2, '>=', 2.0, NULL, false, 6, 10,
        '2 organisations needed to reach half of the commits'),
    ('diversity', 'elephant_factor', 3, 'any', NULL, NULL, false, 0, 10,
        'one organisation authored half of the commits or more'),
    ('diversity', 'elephant_factor', 4, 'null', NULL, NULL, false, 0, 10,
        'no commit with a known organisation in the window'),
    ('risk', 'lottery_factor', 1, '>=', 6.0, NULL, false, 20, 20,
        '≥ 6 authors needed to reach half of the merged PRs'),
    ('risk', 'lottery_factor', 2, '>=', 4.0, NULL, false, 14, 20,
        '4–5 authors needed to reach half of the merged PRs'),
    ('risk', 'lottery_factor', 3, '>=', 2.0, NULL, false, 7, 20,
        '2–3 authors needed to reach half of the merged PRs'),
    ('risk', 'lottery_factor', 4, 'any', NULL, NULL, false, 0, 20,
        'one author opened half of the merged PRs or more'),
    ('risk', 'lottery_factor', 5, 'null', NULL, NULL, false, 0, 20,
        'no PR merged in the window'),
    ('responsiveness', 'median_first_response_hours', 1, '<=', 24.0, NULL, false, 20, 20,
        'median first response within 24 hours'),
    ('responsiveness', 'median_first_response_hours', 2, '<=', 72.0, NULL, false, 14, 20,
        'median first response within 3 days'),
    ('responsiveness', 'median_first_response_hours', 3, '<=', 168.0, NULL, false, 7, 20,
        'median first response within 7 days'),
    ('responsiveness', 'median_first_response_hours', 4, 'any', NULL, NULL, false, 0, 20,
        'median first response slower than 7 days'),
    ('responsiveness', 'median_first_response_hours', 5, 'null', NULL, NULL, false, 0, 20,
        'no issue or PR of the window was answered'),
    ('momentum', 'velocity_change', 1, '>=', 0.10, NULL, false, 10, 10,
        'contribution velocity grew ≥ 10% on the previous window'),
    ('momentum', 'velocity_change', 2, '>=', -0.10, NULL, false, 7, 10,
        'contribution velocity steady (within ±10% of the previous window)'),
    ('momentum', 'velocity_change', 3, '>=', -0.30, NULL, false, 3, 10,
        'contribution velocity fell 10–30% on the previous window'),
    ('momentum', 'velocity_change', 4, 'any', NULL, NULL, false, 0, 10,
        'contribution velocity fell more than 30% on the previous window'),
    ('momentum', 'velocity_change', 5, 'null', NULL, NULL, false, 0, 10,
        'no contributions in the previous window to compare with'),
    ('conformance', 'gate', 1, '=', NULL, 'PASS', false, 5, 5,
        'gate PASS: cited by a valid submission of the two newest checklists'),
    ('conformance', 'gate', 2, '=', NULL, 'WARN', false, 2, 5,
        'gate WARN: cited only by invalid or older submissions'),
    ('conformance', 'gate', 3, '=', NULL, 'NONE', false, 0, 5,
        'gate NONE: never cited by a conformance submission'),
    ('conformance', 'gate', 4, 'null', NULL, NULL, false, 0, 5,
        'no conformance gate for this project')
) AS r(component, metric, band, op, threshold, match_text, per_90_days, points, max_points, condition);

-- scorecard_grades: score bands, the highest band whose min_score the score reaches. A needs gate PASS:
-- a project without it that scores into A is graded B (scorecard.grade_capped says so).
CREATE OR REPLACE TABLE scorecard_grades AS
SELECT grade, CAST(min_score AS INTEGER) AS min_score, rule
FROM (VALUES
    ('A', 80, 'score ≥ 80 and conformance gate PASS'),
    ('B', 65, 'score ≥ 65 (or ≥ 80 without gate PASS)'),
    ('C', 50, 'score ≥ 50'),
    ('D', 35, 'score ≥ 35'),
    ('F', 0, 'score < 35')
) AS g(grade, min_score, rule);

-- scorecard_metrics: the scored metrics in display order, and the count behind each one. A metric resting on
-- fewer than `small_sample_below` items is flagged as a small sample (still scored, never hidden).
CREATE OR REPLACE TABLE scorecard_metrics AS
SELECT CAST(position AS INTEGER) AS position, component, metric, label, CAST(sample_of AS VARCHAR) AS sample_of,
       CAST(small_sample_below AS INTEGER) AS small_sample_below
FROM (VALUES
    (1, 'community_pull', 'unique_outside_issue_authors', 'unique outside issue authors', 'issues opened', 10),
    (2, 'diversity', 'external_share', 'external share of contributions', 'contributions', 10),
    (3, 'diversity', 'elephant_factor', 'elephant factor', 'commits with a known organisation', 10),
    (4, 'risk', 'lottery_factor', 'lottery factor', 'PRs merged', 10),
    (5, 'responsiveness', 'median_first_response_hours', 'median first response (hours)',
        'answered issues and PRs', 10),
    (6, 'momentum', 'velocity_change', 'contribution velocity change',
        'contributions in the window or the previous one, whichever is fewer', 10),
    (7, 'conformance', 'gate', 'conformance gate', NULL, NULL)
) AS m(position, component, metric, label, sample_of, small_sample_below);

-- scorecard_components: one row per (project, window_days, metric): the raw value, the band it fell in, its
-- points and the rule in words. The long form the app uses to explain a grade. A table, like
-- scorecard_windows: the scorecard asset rebuilds both after the metrics and the conformance gate.
CREATE OR REPLACE TABLE scorecard_components AS
WITH run AS (
    SELECT as_of, source FROM vitals_run LIMIT 1
),
pm AS (
    SELECT m.*
    FROM project_metrics AS m
    JOIN run USING (as_of)
),
gate AS (
    SELECT pm.project, pm.window_days, g.gate
    FROM pm
    LEFT JOIN conformance_gate AS g USING (project)
),
observed AS (
    SELECT project, window_days, 'unique_outside_issue_authors' AS metric,
           CAST(unique_outside_issue_authors AS DOUBLE) AS value, NULL AS value_label, issues_opened AS sample_size
    FROM pm
    UNION ALL
    SELECT project, window_days, 'external_share', external_share, NULL, contributions FROM pm
    UNION ALL
    SELECT project, window_days, 'elephant_factor', elephant_factor, NULL, organisation_commits FROM pm
    UNION ALL
    SELECT project, window_days, 'lottery_factor', lottery_factor, NULL, prs_merged FROM pm
    UNION ALL
    SELECT project, window_days, 'median_first_response_hours', median_first_response_hours, NULL, answered_items
    FROM pm
    UNION ALL
    SELECT project, window_days, 'velocity_change', velocity_change, NULL,
           least(contributions, previous_contributions)
    FROM pm
    UNION ALL
    SELECT project, window_days, 'gate', NULL, gate, NULL FROM gate
),
scaled AS (
    SELECT o.*, r.band, r.op, r.points, r.max_points, r.per_90_days, r.condition, r.match_text,
           CASE WHEN r.per_90_days THEN r.threshold * o.window_days / 90.0 ELSE r.threshold END AS threshold
    FROM observed AS o
    JOIN scorecard_rules AS r USING (metric)
),
worded AS (
    SELECT *,
           replace(replace(condition, '{n}', coalesce(CAST(CAST(ceil(threshold) AS BIGINT) AS VARCHAR), '')),
                   '{window}', CAST(window_days AS VARCHAR)) AS condition_text,
           CASE op
               WHEN '>=' THEN value >= threshold
               WHEN '<=' THEN value <= threshold
               WHEN '=' THEN value_label = match_text
               WHEN 'any' THEN value IS NOT NULL OR value_label IS NOT NULL
               WHEN 'null' THEN value IS NULL AND value_label IS NULL
           END AS holds
    FROM scaled
),
ladders AS (
    SELECT project, window_days, metric,
           string_agg(condition_text || ' → ' || points, '; ' ORDER BY band) AS rules
    FROM worded
    GROUP BY ALL
),
matched AS (
    SELECT *
    FROM worded
    WHERE holds
    QUALIFY row_number() OVER (PARTITION BY project, window_days, metric ORDER BY band) = 1
)
SELECT
    mt.project,
    run.as_of,
    mt.window_days,
    sm.position,
    sm.component,
    mt.metric,
    sm.label,
    mt.value,
    CASE
        WHEN mt.metric = 'gate' THEN mt.value_label
        WHEN mt.value IS NULL THEN NULL
        WHEN mt.metric = 'external_share' THEN printf('%.1f%%', 100 * mt.value)
        WHEN mt.metric = 'velocity_change' THEN printf('%+.1f%%', 100 * mt.value)
        WHEN mt.metric = 'median_first_response_hours' THEN printf('%.1f h', mt.value)
        ELSE CAST(CAST(mt.value AS BIGINT) AS VARCHAR)
    END AS value_text,
    mt.points,
    mt.max_points,
    mt.band,
    mt.condition_text || ' → ' || mt.points || ' of ' || mt.max_points AS rule,
    l.rules,
    mt.sample_size,
    sm.sample_of,
    coalesce(mt.sample_size < sm.small_sample_below, false) AS small_sample
FROM matched AS mt
JOIN scorecard_metrics AS sm USING (metric)
JOIN ladders AS l USING (project, window_days, metric)
CROSS JOIN run
ORDER BY mt.project, mt.window_days, sm.position;

-- scorecard_windows: one row per (project, window_days) for 30, 90 and 365 days: grade, score and every
-- component as <metric> (raw value), <metric>_points, <metric>_rule and <metric>_sample (the count behind
-- it); small_sample lists the metrics resting on fewer than 10 items. Unscored context: contribution_velocity,
-- and the at-the-time variants where a contributor's class then differs from today's.
CREATE OR REPLACE TABLE scorecard_windows AS
WITH run AS (
    SELECT as_of, source FROM vitals_run LIMIT 1
),
wide AS (
    SELECT
        project,
        window_days,
        CAST(sum(points) AS INTEGER) AS score,
        any_value(points) FILTER (WHERE metric = 'unique_outside_issue_authors') AS unique_outside_issue_authors_points,
        any_value(rule) FILTER (WHERE metric = 'unique_outside_issue_authors') AS unique_outside_issue_authors_rule,
        any_value(points) FILTER (WHERE metric = 'external_share') AS external_share_points,
        any_value(rule) FILTER (WHERE metric = 'external_share') AS external_share_rule,
        any_value(points) FILTER (WHERE metric = 'elephant_factor') AS elephant_factor_points,
        any_value(rule) FILTER (WHERE metric = 'elephant_factor') AS elephant_factor_rule,
        any_value(points) FILTER (WHERE metric = 'lottery_factor') AS lottery_factor_points,
        any_value(rule) FILTER (WHERE metric = 'lottery_factor') AS lottery_factor_rule,
        any_value(points) FILTER (WHERE metric = 'median_first_response_hours')
            AS median_first_response_hours_points,
        any_value(rule) FILTER (WHERE metric = 'median_first_response_hours') AS median_first_response_hours_rule,
        any_value(points) FILTER (WHERE metric = 'velocity_change') AS velocity_change_points,
        any_value(rule) FILTER (WHERE metric = 'velocity_change') AS velocity_change_rule,
        any_value(points) FILTER (WHERE metric = 'gate') AS gate_points,
        any_value(rule) FILTER (WHERE metric = 'gate') AS gate_rule,
        coalesce(list(metric ORDER BY position) FILTER (WHERE small_sample), []) AS small_sample
    FROM scorecard_components
    GROUP BY project, window_days
),
graded AS (
    SELECT
        w.*,
        (SELECT g.grade FROM scorecard_grades AS g WHERE w.score >= g.min_score ORDER BY g.min_score DESC LIMIT 1)
            AS score_grade
    FROM wide AS w
)
SELECT
    m.project,
    p.name,
    run.as_of,
    m.window_days,
    run.source,
    CASE WHEN gr.score_grade = 'A' AND g.gate IS DISTINCT FROM 'PASS' THEN 'B' ELSE gr.score_grade END AS grade,
    gr.score,
    gr.score_grade = 'A' AND g.gate IS DISTINCT FROM 'PASS' AS grade_capped,
    CASE WHEN gr.score_grade = 'A' AND g.gate IS DISTINCT FROM 'PASS'
         THEN 'score ' || gr.score || ' reaches A, capped at B: conformance gate is '
              || coalesce(g.gate, 'missing') || ', not PASS'
         ELSE ''
    END AS grade_note,
    coalesce(g.gate, 'NONE') AS gate,
    g.reasons AS gate_reasons,
    m.unique_outside_issue_authors,
    gr.unique_outside_issue_authors_points,
    gr.unique_outside_issue_authors_rule,
    m.issues_opened AS unique_outside_issue_authors_sample,
    m.external_share,
    gr.external_share_points,
    gr.external_share_rule,
    m.contributions AS external_share_sample,
    m.elephant_factor,
    gr.elephant_factor_points,
    gr.elephant_factor_rule,
    m.organisation_commits AS elephant_factor_sample,
    m.lottery_factor,
    gr.lottery_factor_points,
    gr.lottery_factor_rule,
    m.prs_merged AS lottery_factor_sample,
    m.median_first_response_hours,
    gr.median_first_response_hours_points,
    gr.median_first_response_hours_rule,
    m.answered_items AS median_first_response_hours_sample,
    m.velocity_change,
    gr.velocity_change_points,
    gr.velocity_change_rule,
    least(m.contributions, m.previous_contributions) AS velocity_change_sample,
    gr.gate_points,
    gr.gate_rule,
    gr.small_sample,
    m.contribution_velocity,
    m.unique_outside_issue_authors_at_time,
    m.external_share_at_time
FROM project_metrics AS m
JOIN run USING (as_of)
JOIN graded AS gr USING (project, window_days)
LEFT JOIN projects AS p USING (project)
LEFT JOIN conformance_gate AS g USING (project)
ORDER BY m.project, m.window_days;

-- scorecard: one row per project, for the default 90-day window (scorecard_windows has 30 and 365 too).
CREATE OR REPLACE VIEW scorecard AS
SELECT *
FROM scorecard_windows
WHERE window_days = 90;
