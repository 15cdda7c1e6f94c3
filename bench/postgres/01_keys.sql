-- Primary keys of the raw tables (as sql/raw/*.sql declares them), added after the bulk COPY; then statistics.
ALTER TABLE raw_projects ADD PRIMARY KEY (project);
ALTER TABLE raw_repos ADD PRIMARY KEY (repo_id);
ALTER TABLE raw_issues ADD PRIMARY KEY (id);
ALTER TABLE raw_comments ADD PRIMARY KEY (id);
ALTER TABLE raw_reviews ADD PRIMARY KEY (id);
ALTER TABLE raw_commits ADD PRIMARY KEY (repo, sha);
ALTER TABLE raw_maintainer_files ADD PRIMARY KEY (repo, path, commit_sha);
ANALYZE;
