-- Raw GitHub data. Every table is upserted on GitHub's own key, so re-crawling never duplicates.
-- All timestamps are UTC (TIMESTAMP without zone). `project` is the registry slug.

-- raw_repos: one row per repository as GitHub names it now.
CREATE TABLE IF NOT EXISTS raw_repos (
    repo_id         BIGINT PRIMARY KEY,
    project         VARCHAR NOT NULL,
    full_name       VARCHAR NOT NULL,      -- canonical owner/name after following any 301
    default_branch  VARCHAR NOT NULL,
    owner_type      VARCHAR,               -- Organization | User
    fetched_at      TIMESTAMP NOT NULL
);

-- raw_repo_names: every name we asked for and what it resolved to (a moved repo keeps its old name here).
CREATE TABLE IF NOT EXISTS raw_repo_names (
    requested_name  VARCHAR PRIMARY KEY,
    project         VARCHAR NOT NULL,
    repo_id         BIGINT NOT NULL,
    full_name       VARCHAR NOT NULL,
    moved           BOOLEAN NOT NULL,      -- GitHub answered 301
    resolved_at     TIMESTAMP NOT NULL
);

-- raw_issues: one row per issue or pull request (GitHub's issues listing returns both).
CREATE TABLE IF NOT EXISTS raw_issues (
    id                  BIGINT PRIMARY KEY,
    project             VARCHAR NOT NULL,
    repo                VARCHAR NOT NULL,
    number              INTEGER NOT NULL,
    is_pull_request     BOOLEAN NOT NULL,
    author_login        VARCHAR,
    author_type         VARCHAR,           -- User | Bot | Organization
    author_association  VARCHAR,           -- OWNER | MEMBER | COLLABORATOR | CONTRIBUTOR | ... | NONE
    state               VARCHAR NOT NULL,  -- open | closed
    state_reason        VARCHAR,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    closed_at           TIMESTAMP,
    merged_at           TIMESTAMP,         -- PR merge data (pull_request.merged_at); NULL for issues
    labels              VARCHAR[],
    comments            INTEGER,
    fetched_at          TIMESTAMP NOT NULL
);

-- raw_comments: issue and pull-request conversation comments.
CREATE TABLE IF NOT EXISTS raw_comments (
    id                  BIGINT PRIMARY KEY,
    project             VARCHAR NOT NULL,
    repo                VARCHAR NOT NULL,
    issue_number        INTEGER NOT NULL,
    author_login        VARCHAR,
    author_type         VARCHAR,
    author_association  VARCHAR,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    fetched_at          TIMESTAMP NOT NULL
);

-- raw_reviews: submitted pull-request reviews (GraphQL, batched for the PRs updated since the last crawl).
CREATE TABLE IF NOT EXISTS raw_reviews (
    id                  BIGINT PRIMARY KEY,  -- the review's databaseId
    project             VARCHAR NOT NULL,
    repo                VARCHAR NOT NULL,
    pr_number           INTEGER NOT NULL,
    author_login        VARCHAR,
    author_type         VARCHAR,             -- User | Bot (GraphQL __typename)
    author_association  VARCHAR,
    state               VARCHAR,             -- APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED
    submitted_at        TIMESTAMP NOT NULL,
    fetched_at          TIMESTAMP NOT NULL
);

-- raw_commits: commits reachable from the default branch. E-mail addresses are not kept, only domains.
CREATE TABLE IF NOT EXISTS raw_commits (
    repo                 VARCHAR NOT NULL,
    sha                  VARCHAR NOT NULL,
    project              VARCHAR NOT NULL,
    author_login         VARCHAR,            -- GitHub account linked to the author e-mail, if any
    author_type          VARCHAR,
    author_name          VARCHAR,
    author_email_domain  VARCHAR,            -- lower-cased domain of the author e-mail
    authored_at          TIMESTAMP NOT NULL,
    committer_login      VARCHAR,
    committed_at         TIMESTAMP NOT NULL,
    parent_count         INTEGER NOT NULL,
    fetched_at           TIMESTAMP NOT NULL,
    PRIMARY KEY (repo, sha)
);

-- raw_maintainer_files: maintainer files (OWNERS, OWNERS_ALIASES, MAINTAINERS*, CODEOWNERS, GOVERNANCE*)
-- at every commit that touched them, plus the version at the default-branch head (is_head).
CREATE TABLE IF NOT EXISTS raw_maintainer_files (
    repo          VARCHAR NOT NULL,
    path          VARCHAR NOT NULL,
    commit_sha    VARCHAR NOT NULL,
    project       VARCHAR NOT NULL,
    committed_at  TIMESTAMP NOT NULL,   -- author date of that commit, UTC
    is_head       BOOLEAN NOT NULL,     -- this is the version on the default branch now
    deleted       BOOLEAN NOT NULL,     -- the commit removed the file
    content       VARCHAR,
    fetched_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (repo, path, commit_sha)
);

-- raw_conformance_files: files of cncf/k8s-ai-conformance (and of VITALS_CONFORMANCE_DIR), verbatim.
CREATE TABLE IF NOT EXISTS raw_conformance_files (
    source      VARCHAR NOT NULL,       -- 'github:cncf/k8s-ai-conformance' or 'local:<folder>'
    path        VARCHAR NOT NULL,       -- path inside the source, e.g. v1.34/gke/PRODUCT.yaml
    blob_sha    VARCHAR NOT NULL,       -- git blob sha (local files: sha1 of the bytes, git-style)
    size        BIGINT NOT NULL,
    content     BLOB,                   -- NULL when the file is over the size limit (size says how big)
    fetched_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (source, path)
);
