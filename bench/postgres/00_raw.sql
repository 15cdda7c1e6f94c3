-- The raw store and the build inputs in PostgreSQL, column for column as sql/raw/*.sql and metrics/build.py
-- write them in DuckDB. Dialect: VARCHAR[] -> text[], MAP(VARCHAR, VARCHAR) -> jsonb (an object), BIGINT ids
-- and TIMESTAMP (without zone) as in DuckDB. Primary keys are added after COPY (bench/pg.py), as a bulk
-- load into PostgreSQL would do.
CREATE TABLE raw_projects (
    project              text NOT NULL,
    name                 text NOT NULL,
    repos                text[] NOT NULL,
    former_names         text[] NOT NULL,
    maintainer_files     text[] NOT NULL,
    org_members_are_core boolean NOT NULL,
    core                 text[] NOT NULL,
    bots                 text[] NOT NULL,
    ai_agents            text[] NOT NULL,
    cncf_maturity        text,
    conformance_aliases  text[] NOT NULL,
    domain_orgs          jsonb
);

CREATE TABLE raw_repos (
    repo_id         bigint NOT NULL,
    project         text NOT NULL,
    full_name       text NOT NULL,
    default_branch  text NOT NULL,
    owner_type      text,
    fetched_at      timestamp NOT NULL
);

CREATE TABLE raw_issues (
    id                  bigint NOT NULL,
    project             text NOT NULL,
    repo                text NOT NULL,
    number              integer NOT NULL,
    is_pull_request     boolean NOT NULL,
    author_login        text,
    author_type         text,
    author_association  text,
    state               text NOT NULL,
    state_reason        text,
    created_at          timestamp NOT NULL,
    updated_at          timestamp NOT NULL,
    closed_at           timestamp,
    merged_at           timestamp,
    labels              text[],
    comments            integer,
    fetched_at          timestamp NOT NULL
);

CREATE TABLE raw_comments (
    id                  bigint NOT NULL,
    project             text NOT NULL,
    repo                text NOT NULL,
    issue_number        integer NOT NULL,
    author_login        text,
    author_type         text,
    author_association  text,
    created_at          timestamp NOT NULL,
    updated_at          timestamp NOT NULL,
    fetched_at          timestamp NOT NULL
);

CREATE TABLE raw_reviews (
    id                  bigint NOT NULL,
    project             text NOT NULL,
    repo                text NOT NULL,
    pr_number           integer NOT NULL,
    author_login        text,
    author_type         text,
    author_association  text,
    state               text,
    submitted_at        timestamp NOT NULL,
    fetched_at          timestamp NOT NULL
);

CREATE TABLE raw_commits (
    repo                 text NOT NULL,
    sha                  text NOT NULL,
    project              text NOT NULL,
    author_login         text,
    author_type          text,
    author_name          text,
    author_email_domain  text,
    authored_at          timestamp NOT NULL,
    committer_login      text,
    committed_at         timestamp NOT NULL,
    parent_count         integer NOT NULL,
    fetched_at           timestamp NOT NULL
);

CREATE TABLE raw_maintainer_files (
    repo          text NOT NULL,
    path          text NOT NULL,
    commit_sha    text NOT NULL,
    project       text NOT NULL,
    committed_at  timestamp NOT NULL,
    is_head       boolean NOT NULL,
    deleted       boolean NOT NULL,
    content       text,
    fetched_at    timestamp NOT NULL
);

-- DuckDB's date_diff('second', a, b): whole seconds between the two instants, each truncated to the second.
CREATE FUNCTION date_diff_seconds(a timestamp, b timestamp) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (trunc(extract(epoch FROM b)) - trunc(extract(epoch FROM a)))::bigint $$;
