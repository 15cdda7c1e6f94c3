-- conformance_gate: one row per tracked project. gate: PASS when at least one valid submission of the two
-- newest checklist versions cites it; WARN when only invalid or older submissions do; NONE when none does.
-- citing_platforms counts distinct product folders (case-insensitive, any version or source).
CREATE OR REPLACE VIEW conformance_gate AS
WITH projects AS (
    SELECT project FROM raw_projects
    UNION
    SELECT project FROM stg_conformance_terms
),
citing AS (
    SELECT project, version, platform, source,
           any_value(submission_valid) AS valid,
           any_value(submission_gate) = 'PASS' AS counts,
           version || '/' || platform || CASE WHEN source LIKE 'github:%' THEN '' ELSE ' (' || source || ')' END
               AS label
    FROM conformance_citations
    GROUP BY ALL
),
per_project AS (
    SELECT project,
           count(DISTINCT lower(platform)) AS citing_platforms,
           count(DISTINCT lower(platform)) FILTER (WHERE valid) AS citing_valid_platforms,
           count(*) AS citing_submissions,
           count(*) FILTER (WHERE valid) AS citing_valid_submissions,
           count(*) FILTER (WHERE counts) AS citing_current_valid_submissions,
           string_agg(label, ', ' ORDER BY label) FILTER (WHERE counts) AS current_valid,
           string_agg(label, ', ' ORDER BY label) FILTER (WHERE NOT valid) AS invalid,
           string_agg(label, ', ' ORDER BY label) FILTER (WHERE valid AND NOT counts) AS older_valid,
           count(*) FILTER (WHERE NOT valid) AS invalid_count,
           count(*) FILTER (WHERE valid AND NOT counts) AS older_valid_count
    FROM citing
    GROUP BY project
),
requirements AS (
    SELECT project, string_agg(DISTINCT requirement_id, ', ' ORDER BY requirement_id) AS requirements
    FROM conformance_citations
    GROUP BY project
),
newest AS (
    SELECT string_agg(version, ', ' ORDER BY major, minor) AS versions
    FROM (
        SELECT DISTINCT version, major, minor FROM stg_conformance_checklists ORDER BY major DESC, minor DESC LIMIT 2
    )
),
submissions AS (
    SELECT count(*) AS n FROM stg_conformance_submissions
)
SELECT p.project,
       CASE WHEN coalesce(c.citing_current_valid_submissions, 0) > 0 THEN 'PASS'
            WHEN coalesce(c.citing_submissions, 0) > 0 THEN 'WARN'
            ELSE 'NONE' END AS gate,
       coalesce(c.citing_platforms, 0) AS citing_platforms,
       coalesce(c.citing_valid_platforms, 0) AS citing_valid_platforms,
       coalesce(r.requirements, '') AS requirements,
       CASE WHEN coalesce(c.citing_current_valid_submissions, 0) > 0 THEN
                'cited by ' || c.citing_current_valid_submissions || ' valid submission(s) of the newest checklists ('
                || n.versions || '): ' || c.current_valid
            WHEN coalesce(c.citing_submissions, 0) > 0 THEN
                'cited only by invalid or older submissions: '
                || concat_ws('; ',
                       CASE WHEN c.invalid_count > 0 THEN c.invalid_count || ' invalid (' || c.invalid || ')' END,
                       CASE WHEN c.older_valid_count > 0 THEN c.older_valid_count
                            || ' valid but older than ' || coalesce(n.versions, 'the newest checklists')
                            || ' (' || c.older_valid || ')' END)
            ELSE 'not named in the evidence or notes of any of the ' || s.n || ' submission(s)'
       END AS reasons,
       coalesce(c.citing_submissions, 0) AS citing_submissions,
       coalesce(c.citing_valid_submissions, 0) AS citing_valid_submissions,
       coalesce(c.citing_current_valid_submissions, 0) AS citing_current_valid_submissions
FROM projects p
LEFT JOIN per_project c USING (project)
LEFT JOIN requirements r USING (project)
CROSS JOIN newest n
CROSS JOIN submissions s;
