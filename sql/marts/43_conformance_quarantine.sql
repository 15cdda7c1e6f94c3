-- conformance_quarantine: one row per reason an invalid submission was quarantined (version, platform, source,
-- reason_no). A submission with any reason is invalid: it never counts as valid, it can only make a project
-- WARN.
CREATE OR REPLACE VIEW conformance_quarantine AS
SELECT s.version,
       s.platform,
       s.source,
       r.reason_no,
       r.code,
       r.detail,
       s.kind,
       s.path,
       s.vendor,
       s.platform_name
FROM stg_conformance_submissions s
JOIN stg_conformance_reasons r USING (version, platform, source);
