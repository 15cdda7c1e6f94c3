-- conformance_citations: one row per (submission, requirement, project) where the requirement's evidence or
-- notes name the project (its conformance_aliases, repo names or former repo names; whole words, any case).
-- level and status are as the submission states them; evidence lists the entries that name the project.
CREATE OR REPLACE VIEW conformance_citations AS
SELECT c.version,
       c.platform,
       c.source,
       c.requirement_id,
       c.project,
       r.level,
       r.status,
       array_to_string(c.cited_evidence, ' ; ') AS evidence,
       c.in_notes AS named_in_notes,
       array_to_string(c.matched, ', ') AS matched,
       s.valid AS submission_valid,
       s.gate AS submission_gate
FROM stg_conformance_citations c
JOIN stg_conformance_requirements r USING (version, platform, source, requirement_id)
JOIN conformance_submissions s USING (version, platform, source);
