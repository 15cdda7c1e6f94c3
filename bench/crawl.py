"""Crawl cost: requests of a full crawl of the fixture world against the fewest that could fetch it, and the
rate-limited (non-304) requests of a refresh of unchanged data."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from fixtures.fakegithub import FakeGitHub
from fixtures.world import load_world
from pipelines.config import ROOT, load_projects
from pipelines.github.client import GitHubClient
from pipelines.github.crawler import Crawl, crawl_project, sync_conformance
from pipelines.github.store import Store

PAGE = 100  # per_page of every listing, and PRs per GraphQL review query


def _pages(n: int) -> int:
    """A listing costs one request even when empty (GitHub answers `[]`)."""
    return max(1, math.ceil(n / PAGE))


def minimum_requests(con) -> dict[str, int]:
    """The fewest requests that fetch what the full crawl stored, by endpoint family:
    one per 100 items of each listing (at least one), one GraphQL query per 100 PRs, one GET per repository
    name asked for, one GET per maintainer-file version (contents have no listing), and for the conformance
    repo the repository, its tree and each text blob fetched."""

    def one(sql: str) -> list[tuple]:
        return con.execute(sql).fetchall()

    repos = [r[0] for r in one("SELECT DISTINCT full_name FROM raw_repos WHERE project <> '_conformance'")]
    issues = dict(one("SELECT repo, count(*) FROM raw_issues GROUP BY repo"))
    prs = dict(one("SELECT repo, count(*) FROM raw_issues WHERE is_pull_request GROUP BY repo"))
    comments = dict(one("SELECT repo, count(*) FROM raw_comments GROUP BY repo"))
    commits = dict(one("SELECT repo, count(*) FROM raw_commits GROUP BY repo"))
    files = one("SELECT repo, path, count(*) FROM raw_maintainer_files GROUP BY repo, path")
    names = one("SELECT count(*) FROM raw_repo_names WHERE project <> '_conformance'")[0][0]
    blobs = one(
        "SELECT count(*) FROM raw_conformance_files WHERE source LIKE 'github:%' AND content IS NOT NULL"
    )[0][0]
    return {
        "repos": names,
        "issues": sum(_pages(issues.get(r, 0)) for r in repos),
        "comments": sum(_pages(comments.get(r, 0)) for r in repos),
        "commits": sum(_pages(commits.get(r, 0)) for r in repos),
        "reviews": sum(math.ceil(prs.get(r, 0) / PAGE) for r in repos),
        "maintainer_files": sum(_pages(n) + n for _, _, n in files),
        "conformance": 2 + blobs,  # the repository (its default branch), its tree
    }


def _family(endpoint: str) -> str:
    if endpoint.startswith(("maintainer_file:", "maintainer_contents:")):
        return "maintainer_files"
    if endpoint.startswith("conformance"):
        return "conformance"
    return {"repo": "repos"}.get(endpoint, endpoint)


def actual_requests(con, run_id: str) -> dict[str, int]:
    rows = con.execute(
        "SELECT repo, endpoint, requests FROM raw_crawl_log WHERE run_id = ?", [run_id]
    ).fetchall()
    out: dict[str, int] = {}
    for repo, endpoint, requests in rows:
        family = "conformance" if repo == "cncf/k8s-ai-conformance" else _family(endpoint)
        out[family] = out.get(family, 0) + requests
    return out


def measure(workdir: Path | None = None) -> dict:
    """Full crawl then unchanged refresh of every registry project and the conformance repo against the
    fake GitHub (no injected faults: their retries are not the crawler's cost)."""
    world = load_world()
    projects = load_projects(ROOT / "pipelines" / "projects.yaml")
    fake = FakeGitHub(world)
    passes = {}
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        store = Store(Path(tmp) / "crawl.duckdb")
        for label in ("full", "refresh"):
            client = GitHubClient(transport=fake.transport(), sleep=lambda s: None, clock=fake.clock)
            crawl = Crawl(client, store, run_id=f"bench-{label}", notify=lambda m: None)
            for project in projects:
                crawl_project(crawl, project)
            sync_conformance(crawl)
            passes[label] = {"requests": client.stats.requests, "not_modified": client.stats.not_modified}
        with store.tx() as con:
            minimum = minimum_requests(con)
            full = actual_requests(con, "bench-full")
            refresh = actual_requests(con, "bench-refresh")
        store.close()
    full_total, minimum_total = passes["full"]["requests"], sum(minimum.values())
    return {
        "full_requests": full_total,
        "minimum_requests": minimum_total,
        "ratio": full_total / minimum_total,
        "by_endpoint": {
            k: {"full": full.get(k, 0), "minimum": minimum.get(k, 0), "refresh": refresh.get(k, 0)}
            for k in sorted(set(full) | set(minimum))
        },
        "refresh_requests": passes["refresh"]["requests"],
        "refresh_rate_limited": passes["refresh"]["requests"] - passes["refresh"]["not_modified"],
    }
