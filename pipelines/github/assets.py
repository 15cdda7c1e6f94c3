"""Raw GitHub assets, one per endpoint, partitioned by project; plus the registry and the conformance repo."""

import dagster as dg

from pipelines.github import staging
from pipelines.github.crawler import Crawl, crawl_project, sync_conformance
from pipelines.github.partitions import project_partitions
from pipelines.github.resources import GitHubResource
from pipelines.github.store import Store
from pipelines.github.tokens import TOKEN_TAG
from pipelines.resources import VitalsDuckDB, projects, settings

RAW_TABLE = {
    "github_repos": "raw_repos",
    "github_issues": "raw_issues",
    "github_comments": "raw_comments",
    "github_reviews": "raw_reviews",
    "github_commits": "raw_commits",
    "maintainer_files": "raw_maintainer_files",
}


def _store(path, live: bool) -> Store:
    """A live crawl closes its DuckDB file after every page batch, so it never holds the file's lock across
    a network call or a rate-limit wait (sibling steps of the partition write the same staging file). A
    replay has neither, and keeps a connection for up to a second to save reopening the file."""
    return Store(path, hold_s=0.0 if live else 1.0)


def _say_source(context, token) -> None:
    if token is None:
        context.log.info("no GITHUB_TOKEN: replaying the recorded fixtures (fixtures/cassettes), no network")
    else:
        context.log.info(f"live crawl of {settings().api_url}, paid by {token.label}")


def _crawl_asset(name: str, endpoint: str, deps: list[str], description: str):
    @dg.asset(
        name=name,
        partitions_def=project_partitions,
        group_name="github",
        kinds={"duckdb", "github"},
        deps=deps,
        pool="duckdb",
        description=description,
    )
    def _asset(context: dg.AssetExecutionContext, github: GitHubResource, duckdb: VitalsDuckDB):
        project = {p.slug: p for p in projects()}[context.partition_key]
        token = github.token(project.slug, context.run.tags.get(TOKEN_TAG))
        _say_source(context, token)
        # the partition's own staging file, merged into VITALS_DB when the step ends (even on failure, so
        # crawl_log shows it): partitions crawled in parallel never wait on each other's pages
        main = duckdb.resolved_path()
        path = staging.prepare(main, project.slug)
        store = _store(path, live=token is not None)
        try:
            with github.client(project.slug, notify=context.log.info, token=token) as client:
                crawl = Crawl(client, store, context.run.run_id, notify=context.log.info,
                              token_label=github.token_label(token))  # fmt: skip
                stored = crawl_project(crawl, project, (endpoint,)).get(endpoint, 0)
                stats = client.stats
            with store.tx() as con:
                rows = con.execute(
                    f"SELECT count(*) FROM {RAW_TABLE[name]} WHERE project = $p", {"p": project.slug}
                ).fetchone()[0]
        finally:
            store.close()
            staging.merge(path, main, project.slug, endpoint, context.run.run_id)
        return crawl_result(rows, stored, stats, github.token_label(token))

    return _asset


def crawl_result(rows: int, stored: int, stats, token_label: str) -> dg.MaterializeResult:
    """What a crawl step reports: rows held, rows written, requests (and how many were 304s), the rate
    limit left and the label of the token that paid."""
    return dg.MaterializeResult(
        metadata={
            "rows": dg.MetadataValue.int(rows),
            "rows_written_this_run": dg.MetadataValue.int(stored),
            "requests": dg.MetadataValue.int(stats.requests),
            "not_modified_304": dg.MetadataValue.int(stats.not_modified),
            "rate_limit_remaining": dg.MetadataValue.int(stats.rate_limit_remaining or 0),
            "token_label": dg.MetadataValue.text(token_label),
        }
    )


github_repos = _crawl_asset(
    "github_repos",
    "repos",
    ["projects_registry"],
    "The project's repositories; moved ones are followed through GitHub's 301.",
)
github_issues = _crawl_asset(
    "github_issues",
    "issues",
    ["github_repos"],
    "Issues and pull requests (with merge data), synced by `since` and ETag.",
)
github_comments = _crawl_asset(
    "github_comments", "comments", ["github_repos"], "Issue and pull-request comments."
)
github_commits = _crawl_asset("github_commits", "commits", ["github_repos"], "Default-branch commits.")
github_reviews = _crawl_asset(
    "github_reviews",
    "reviews",
    ["github_issues"],
    "Reviews of PRs new or updated since the last crawl (GraphQL batches).",
)
maintainer_files = _crawl_asset("maintainer_files", "maintainer_files", ["github_repos"],
                                "Maintainer files at every commit that touched them.")  # fmt: skip


@dg.asset(group_name="github", kinds={"duckdb"}, pool="duckdb")
def projects_registry(duckdb: VitalsDuckDB) -> dg.MaterializeResult:
    """pipelines/projects.yaml copied into raw_projects (the registry the views join to)."""
    rows = projects()
    with duckdb.connect() as con:
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM raw_projects")
        for p in rows:
            con.execute(
                "INSERT INTO raw_projects VALUES ($project, $name, $repos, $former, $files, $org, $core, $bots, "
                "$agents, $maturity, $aliases, MAP(CAST($dkeys AS VARCHAR[]), CAST($dvals AS VARCHAR[])))",
                {
                    "project": p.slug, "name": p.name, "repos": list(p.repos), "former": list(p.former_names),
                    "files": list(p.maintainer_files), "org": p.org_members_are_core, "core": list(p.core),
                    "bots": list(p.bots), "agents": list(p.ai_agents), "maturity": p.cncf_maturity,
                    "aliases": list(p.conformance_aliases), "dkeys": list(p.domain_orgs),
                    "dvals": list(p.domain_orgs.values()),
                },
            )  # fmt: skip
        con.execute("COMMIT")
    return dg.MaterializeResult(metadata={"rows": dg.MetadataValue.int(len(rows))})


@dg.asset(group_name="conformance", kinds={"duckdb", "github"}, pool="duckdb")
def conformance_files(context: dg.AssetExecutionContext, github: GitHubResource, duckdb: VitalsDuckDB):
    """Every submission file of cncf/k8s-ai-conformance (tree by ETag; only changed blobs fetched)."""
    token = github.token("conformance", context.run.tags.get(TOKEN_TAG))
    _say_source(context, token)
    store = _store(duckdb.resolved_path(), live=token is not None)
    try:
        with github.client("conformance", notify=context.log.info, token=token) as client:
            crawl = Crawl(client, store, context.run.run_id, notify=context.log.info,
                          token_label=github.token_label(token))  # fmt: skip
            stored = sync_conformance(crawl)
            stats = client.stats
        with store.tx() as con:
            rows = con.execute("SELECT count(*) FROM raw_conformance_files").fetchone()[0]
    finally:
        store.close()
    return crawl_result(rows, stored, stats, github.token_label(token))


crawl_assets = [
    github_repos,
    github_issues,
    github_comments,
    github_commits,
    github_reviews,
    maintainer_files,
]
assets = [projects_registry, conformance_files, *crawl_assets]
