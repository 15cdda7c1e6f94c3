-- One build's inputs, as metrics/build.py writes them before the SQL runs: the run row (as_of is bound by
-- bench/pg.py through psql variables), the run's projects, the shipped bot and free-mail lists, and
-- maintainer_roles (computed by metrics/maintainers.py from raw_maintainer_files, then COPYed in).
CREATE TABLE vitals_run (as_of date NOT NULL, source text NOT NULL, built_at timestamp NOT NULL);
INSERT INTO vitals_run VALUES (:'as_of', 'replay', localtimestamp);
CREATE TABLE vitals_run_projects (project text PRIMARY KEY);
INSERT INTO vitals_run_projects SELECT project FROM raw_projects;
CREATE TABLE ref_bot_accounts (login_lower text PRIMARY KEY, is_ai_agent boolean);
CREATE TABLE ref_independent_domains (domain text PRIMARY KEY);
CREATE TABLE maintainer_roles (
    project text NOT NULL, repo text NOT NULL, path text NOT NULL, commit_sha text NOT NULL,
    valid_from timestamp NOT NULL, valid_to timestamp, is_head boolean NOT NULL,
    login text NOT NULL, login_lower text NOT NULL, role text NOT NULL
);
