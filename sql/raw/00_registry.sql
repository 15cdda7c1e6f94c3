-- raw_projects: one row per tracked project, copied from pipelines/projects.yaml on every run.
CREATE TABLE IF NOT EXISTS raw_projects (
    project              VARCHAR PRIMARY KEY,   -- registry slug
    name                 VARCHAR NOT NULL,
    repos                VARCHAR[] NOT NULL,    -- current owner/name
    former_names         VARCHAR[] NOT NULL,    -- old names GitHub answers with 301
    maintainer_files     VARCHAR[] NOT NULL,
    org_members_are_core BOOLEAN NOT NULL,
    core                 VARCHAR[] NOT NULL,    -- registry overrides: always core
    bots                 VARCHAR[] NOT NULL,    -- registry extras on top of the shipped bot list
    ai_agents            VARCHAR[] NOT NULL,    -- registry extras on top of the shipped AI-agent list
    cncf_maturity        VARCHAR,
    conformance_aliases  VARCHAR[] NOT NULL,
    domain_orgs          MAP(VARCHAR, VARCHAR)  -- e-mail domain -> organisation (elephant factor)
);

-- vitals_run: one row, the settings of the last metrics build (as_of is the exclusive window end).
CREATE TABLE IF NOT EXISTS vitals_run (
    as_of     DATE NOT NULL,
    source    VARCHAR NOT NULL,   -- live | replay
    built_at  TIMESTAMP NOT NULL
);
