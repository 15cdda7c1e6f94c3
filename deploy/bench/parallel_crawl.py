"""Benchmark: the four projects crawled serially vs in parallel processes into one DuckDB file, with lock waits.

    .venv/bin/python -m deploy.bench.parallel_crawl                    # fake GitHub, 100 ms per request
    .venv/bin/python -m deploy.bench.parallel_crawl --latency 0 --hold 1.0 --hold 0
    .venv/bin/python -m deploy.bench.parallel_crawl --store staging   # what the crawl assets do

`--source fake` serves the fixture world through fixtures/fakegithub.py with a sleep per request standing in
for GitHub's latency (a live crawl waits on the network, not the CPU); `--source replay` reads the cassettes
(CPU-bound: vcrpy matching dominates). `--store shared` writes every page into the one DuckDB file;
`--store staging` writes each project's own staging file and merges it into the main file at the end
(pipelines/github/staging.py). Each configuration crawls into a fresh database; the figures are in
docs/scaling.md.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import tempfile
import time
from pathlib import Path

import httpx

from metrics import db
from pipelines.config import ROOT, load_projects
from pipelines.github import staging
from pipelines.github.client import GitHubClient
from pipelines.github.crawler import Crawl, crawl_project
from pipelines.github.store import Store

_WORLD = None  # the fixture world, loaded once per process


def _timed_connect(totals: dict):
    """db.connect that adds the time spent waiting for another process's lock to `totals`."""
    real = db.connect

    def connect(path, **kwargs):
        started = time.monotonic()
        con = real(path, **kwargs)
        totals["connect_s"] += time.monotonic() - started
        totals["connects"] += 1
        return con

    return real, connect


def _world():
    global _WORLD
    if _WORLD is None:
        from fixtures.world import load_world

        _WORLD = load_world()
    return _WORLD


def _warm(source: str) -> None:
    if source == "fake":
        _world()


def crawl_one(args: tuple) -> dict:
    slug, db_path, source, latency, hold_s, mode = args
    project = {p.slug: p for p in load_projects(ROOT / "pipelines" / "projects.yaml")}[slug]
    totals = {"connect_s": 0.0, "connects": 0}
    real, db.connect = _timed_connect(totals)
    started = time.monotonic()
    path = staging.prepare(db_path, slug) if mode == "staging" else db_path
    store = Store(path, hold_s=hold_s)
    try:
        if source == "replay":
            from pipelines.github.resources import GitHubResource

            with GitHubResource(source="replay").client(slug, notify=lambda m: None) as client:
                crawl_project(Crawl(client, store, "bench", notify=lambda m: None), project)
                requests = client.stats.requests
        else:
            from fixtures.fakegithub import FakeGitHub

            fake = FakeGitHub(_world())
            inner = fake.transport()

            class Slow(httpx.BaseTransport):
                def handle_request(self, request):
                    time.sleep(latency)
                    return inner.handle_request(request)

            with GitHubClient(transport=Slow(), sleep=lambda s: None) as client:
                crawl_project(Crawl(client, store, "bench", notify=lambda m: None), project)
                requests = client.stats.requests
    finally:
        store.close()
        if mode == "staging":
            merge_started = time.monotonic()
            for endpoint in staging.ENDPOINT_TABLES:
                staging.merge(path, db_path, slug, endpoint, "bench")
            totals["merge_s"] = time.monotonic() - merge_started
        db.connect = real
    return {"project": slug, "wall_s": time.monotonic() - started, "requests": requests, **totals}


def run(source: str, latency: float, hold_s: float, workers: int, mode: str) -> dict:
    slugs = [p.slug for p in load_projects(ROOT / "pipelines" / "projects.yaml")]
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.duckdb")
        Store(path).close()  # schema first, so workers only write rows
        jobs = [(slug, path, source, latency, hold_s, mode) for slug in slugs]
        if workers == 1:
            _warm(source)
            started = time.monotonic()
            results = [crawl_one(job) for job in jobs]
        else:
            # spawn, not fork: a process forked after DuckDB has run can deadlock on its threads' locks
            with mp.get_context("spawn").Pool(workers, initializer=_warm, initargs=(source,)) as pool:
                pool.map(time.sleep, [0.5] * workers)  # every worker started and warm before the clock
                started = time.monotonic()
                results = pool.map(crawl_one, jobs, chunksize=1)
        wall = time.monotonic() - started
        with db.session(path, read_only=True) as con:
            rows = sum(
                con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("raw_issues", "raw_comments", "raw_reviews", "raw_commits", "raw_maintainer_files")
            )
    return {"wall_s": wall, "rows": rows, "results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("fake", "replay"), default="fake")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request (fake source)")
    parser.add_argument("--hold", type=float, action="append", help="Store hold_s values to compare")
    parser.add_argument("--workers", type=int, action="append", help="process counts to compare")
    parser.add_argument("--store", choices=("shared", "staging"), default="shared")
    args = parser.parse_args()
    for hold_s in args.hold or [1.0, 0.0]:
        for workers in args.workers or [1, 4]:
            out = run(args.source, args.latency, hold_s, workers, args.store)
            waits = sum(r["connect_s"] for r in out["results"])
            connects = sum(r["connects"] for r in out["results"])
            print(
                f"store={args.store} source={args.source} latency={args.latency}s hold_s={hold_s} "
                f"workers={workers}: "
                f"wall {out['wall_s']:.1f}s, rows {out['rows']}, connects {connects}, "
                f"time in connect (lock waits) {waits:.1f}s"
            )
            for r in out["results"]:
                print(
                    f"    {r['project']:<14} {r['wall_s']:6.1f}s  {r['requests']:4d} requests  "
                    f"{r['connects']:4d} connects  {r['connect_s']:5.1f}s in connect"
                    + (f"  merge {r['merge_s']:.1f}s" if "merge_s" in r else "")
                )


if __name__ == "__main__":
    main()
