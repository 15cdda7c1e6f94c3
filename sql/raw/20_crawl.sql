-- crawl_state: one saved cursor per (repo, endpoint), written in the same transaction as the pages it covers.
CREATE TABLE IF NOT EXISTS crawl_state (
    repo           VARCHAR NOT NULL,
    endpoint       VARCHAR NOT NULL,
    since          VARCHAR,      -- the `since` value of the listing URL whose ETag we hold
    etag           VARCHAR,      -- ETag of page 1 of etag_url: a refresh sends it as If-None-Match
    etag_url       VARCHAR,
    high_water     VARCHAR,      -- newest updated_at (or commit date) stored so far, ISO-8601 UTC
    next_url       VARCHAR,      -- where an interrupted crawl resumes; NULL when the last crawl finished
    pending        VARCHAR,      -- JSON: work carried between steps (PR numbers whose reviews are due)
    run_id         VARCHAR,
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (repo, endpoint)
);

-- raw_crawl_log: one row per (run, repo, endpoint); updated as the crawl goes, so a killed run shows 'running'.
CREATE TABLE IF NOT EXISTS raw_crawl_log (
    run_id                VARCHAR NOT NULL,
    repo                  VARCHAR NOT NULL,
    endpoint              VARCHAR NOT NULL,
    requests              INTEGER NOT NULL,   -- HTTP requests sent (304s and retries included)
    not_modified          INTEGER NOT NULL,   -- answered 304: cost no rate limit
    items                 INTEGER NOT NULL,
    rate_limit_remaining  INTEGER,
    token_label           VARCHAR,            -- which token paid (a label, never the token)
    started_at            TIMESTAMP NOT NULL,
    finished_at           TIMESTAMP,
    status                VARCHAR NOT NULL,   -- running | complete | failed | rate_limited
    PRIMARY KEY (run_id, repo, endpoint)
);

CREATE OR REPLACE VIEW crawl_log AS
SELECT run_id, repo, endpoint, requests, not_modified, items, rate_limit_remaining, token_label,
       started_at, finished_at, status
FROM raw_crawl_log;
