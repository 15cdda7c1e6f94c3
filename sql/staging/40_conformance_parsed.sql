-- Parsed CNCF AI Conformance files, rebuilt in full by the `conformance` asset (metrics/conformance.py parses
-- raw_conformance_files). The sql/marts/*_conformance_*.sql views are what users query; these hold the parts.

-- stg_conformance_checklists: one row per requirement of a docs/AIConformance-<k8s>.yaml checklist.
CREATE TABLE IF NOT EXISTS stg_conformance_checklists (
    source          VARCHAR NOT NULL,
    version         VARCHAR NOT NULL,   -- v1.35 (from the file name)
    major           INTEGER NOT NULL,
    minor           INTEGER NOT NULL,
    category        VARCHAR NOT NULL,
    requirement_id  VARCHAR NOT NULL,
    level           VARCHAR NOT NULL,   -- MUST | SHOULD
    PRIMARY KEY (source, version, requirement_id)
);

-- stg_conformance_submissions: one row per submission: a PRODUCT.yaml, or the junit*.xml files of one
-- local results folder. The same version/platform may come from several sources, so source is in the key.
CREATE TABLE IF NOT EXISTS stg_conformance_submissions (
    version             VARCHAR NOT NULL,   -- from the path, v<k8s major.minor>
    platform            VARCHAR NOT NULL,   -- the product folder name
    source              VARCHAR NOT NULL,   -- github:cncf/k8s-ai-conformance | local:<folder> | junit:local:<folder>
    kind                VARCHAR NOT NULL,   -- product | junit
    path                VARCHAR NOT NULL,   -- the file (for junit: the folder's first junit*.xml)
    checklist_source    VARCHAR,            -- which source's checklist it was validated against; NULL: none
    vendor              VARCHAR,
    platform_name       VARCHAR,
    platform_version    VARCHAR,
    kubernetes_version  VARCHAR,
    readable            BOOLEAN NOT NULL,   -- it parsed into a document
    valid               BOOLEAN NOT NULL,   -- no reasons at all
    reason_count        INTEGER NOT NULL,
    requirements        INTEGER NOT NULL,
    must_total          INTEGER NOT NULL,   -- MUST entries as the file states them
    must_implemented    INTEGER NOT NULL,
    should_total        INTEGER NOT NULL,
    should_implemented  INTEGER NOT NULL,
    parsed_at           TIMESTAMP NOT NULL,
    PRIMARY KEY (version, platform, source)
);

-- stg_conformance_reasons: one row per reason a submission is invalid, in the order they were found.
CREATE TABLE IF NOT EXISTS stg_conformance_reasons (
    version    VARCHAR NOT NULL,
    platform   VARCHAR NOT NULL,
    source     VARCHAR NOT NULL,
    reason_no  INTEGER NOT NULL,
    code       VARCHAR NOT NULL,   -- the vocabulary in metrics/conformance.py REASON_CODES
    detail     VARCHAR NOT NULL,
    PRIMARY KEY (version, platform, source, reason_no)
);

-- stg_conformance_requirements: one row per requirement entry of a submission.
CREATE TABLE IF NOT EXISTS stg_conformance_requirements (
    version          VARCHAR NOT NULL,
    platform         VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    category         VARCHAR NOT NULL,
    requirement_id   VARCHAR NOT NULL,
    level            VARCHAR NOT NULL,   -- as the file states it
    checklist_level  VARCHAR,            -- NULL: not a requirement of the checklist
    status           VARCHAR NOT NULL,
    evidence         VARCHAR[] NOT NULL,
    notes            VARCHAR NOT NULL,
    PRIMARY KEY (version, platform, source, requirement_id)
);

-- stg_conformance_citations: one row per (submission, requirement, project) whose evidence or notes name it.
CREATE TABLE IF NOT EXISTS stg_conformance_citations (
    version          VARCHAR NOT NULL,
    platform         VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    requirement_id   VARCHAR NOT NULL,
    project          VARCHAR NOT NULL,
    matched          VARCHAR[] NOT NULL,   -- the project's names found (aliases, repo names)
    cited_evidence   VARCHAR[] NOT NULL,   -- the evidence entries that name it
    in_notes         BOOLEAN NOT NULL,     -- the notes name it
    PRIMARY KEY (version, platform, source, requirement_id, project)
);

-- stg_conformance_terms: the names each project was searched for (aliases, repo and former repo names).
CREATE TABLE IF NOT EXISTS stg_conformance_terms (
    project  VARCHAR NOT NULL,
    term     VARCHAR NOT NULL,
    PRIMARY KEY (project, term)
);
