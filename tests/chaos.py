"""Chaos run: crawl the fake GitHub server through faults, drift and SIGKILLs; prove nothing is lost or doubled.

    python -m tests.chaos --seed 7 --kills 5 --fault-rate 0.1 [--projects kaito,kai-scheduler] [--drift 8]

1. Plan the drift from the seed: mutations of the world (issues bumped or closed, new issues, comments,
   reviews, commits, maintainer-file versions) that the server applies between page requests.
2. Expected: a fault-free crawl, in process, of the FINAL world (every planned mutation applied).
3. Chaos: `python -m tests.crawl_cli` in a subprocess, live mode (a token, VITALS_GITHUB_API_URL at the
   server), SIGKILLed at K seeded moments and resumed each time, while the server injects faults and drifts.
4. The server applies whatever drift is left, faults stop, and one refresh crawl runs to completion.
5. The raw tables are compared row for row (every column but the run-time stamps) with the expected ones.

It ends with one line, `chaos: seed=S kills=K faults=N lost=N duplicated=N identical=true|false`, and exits
0 only when identical. See docs/reliability.md for what each count means.
"""

from __future__ import annotations

import argparse
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from fixtures.fakegithub import FakeGitHub
from fixtures.world import load_world
from pipelines.config import ROOT, Project, load_projects
from pipelines.github.client import GitHubClient
from pipelines.github.crawler import Crawl, crawl_project
from pipelines.github.store import KEYS, Store
from tests.crawl_cli import live_env
from tests.fakeserver import (
    CLIENT_TIMEOUT_S,
    Drift,
    FakeServer,
    FaultPlan,
    fake_token,
    final_world,
    fork_world,
    plan_drift,
)

TABLES = ("raw_issues", "raw_comments", "raw_reviews", "raw_commits", "raw_maintainer_files", "raw_repos",
          "raw_repo_names")  # fmt: skip
STAMPS = {"fetched_at", "resolved_at"}  # when a row was written, not what GitHub said: differs run to run
MAX_SLEEP_S = 0.05  # the client really sleeps, but never longer than this (backoff, Retry-After, reset)
RUN_TIMEOUT_S = 300
DRIFT_POINT = re.compile(r"[?&]page=([2-9]|\d\d)")


@dataclass
class Diff:
    missing: int = 0  # expected key absent
    stale: int = 0  # key present, columns differ (an old version of the item)
    extra: int = 0  # key the fault-free crawl does not have
    doubled: int = 0  # a key stored more than once
    examples: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return self.missing + self.stale

    @property
    def duplicated(self) -> int:
        return self.extra + self.doubled


@dataclass
class ChaosResult:
    seed: int
    kills: int
    faults: int
    diffs: dict[str, Diff]
    identical: bool
    notes: list[str] = field(default_factory=list)
    identical_before_refresh: bool = False

    @property
    def lost(self) -> int:
        return sum(d.lost for d in self.diffs.values())

    @property
    def duplicated(self) -> int:
        return sum(d.duplicated for d in self.diffs.values())

    def line(self) -> str:
        return (f"chaos: seed={self.seed} kills={self.kills} faults={self.faults} lost={self.lost} "
                f"duplicated={self.duplicated} identical={str(self.identical).lower()}")  # fmt: skip


def snapshot(path: Path, table: str) -> tuple[list[str], list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = [c for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = $t ORDER BY ordinal_position",
            {"t": table}).fetchall() if c not in STAMPS]  # fmt: skip
        rows = con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
    finally:
        con.close()
    return columns, [tuple(tuple(v) if isinstance(v, list) else v for v in row) for row in rows]


def compare(expected: Path, actual: Path) -> tuple[dict[str, Diff], bool]:
    diffs, identical = {}, True
    for table in TABLES:
        columns, want = snapshot(expected, table)
        _, got = snapshot(actual, table)
        key_at = [columns.index(k) for k in KEYS[table]]
        want_by_key = {tuple(r[i] for i in key_at): r for r in want}
        got_by_key: dict[tuple, list[tuple]] = {}
        for row in got:
            got_by_key.setdefault(tuple(row[i] for i in key_at), []).append(row)
        d = Diff()
        for key, row in want_by_key.items():
            if key not in got_by_key:
                d.missing += 1
                d.examples.append(f"{table} missing {key}")
            elif row not in got_by_key[key]:
                d.stale += 1
                d.examples.append(f"{table} stale {key}: want {row} got {got_by_key[key][0]}")
        for key, rows in got_by_key.items():
            d.doubled += len(rows) - 1
            if key not in want_by_key:
                d.extra += len(rows)
                d.examples.append(f"{table} extra {key}")
        diffs[table] = d
        identical &= Counter(want) == Counter(got) and len(want) == len(want_by_key)
    return diffs, identical


def crawl_in_process(world, projects: list[Project], db: Path) -> tuple[int, int]:
    """The fault-free reference: the same crawler, in process, straight on FakeGitHub (no HTTP, no faults).
    Returns its request count and how many of those asked for page 2 or later (where drift can strike)."""
    later_pages = []

    def spy(index, method, url):
        if DRIFT_POINT.search(url):
            later_pages.append(index)

    fake = FakeGitHub(world, faults=spy)
    client = GitHubClient(transport=fake.transport(), sleep=lambda s: None, clock=fake.clock)
    store = Store(db)
    try:
        for project in projects:
            crawl_project(Crawl(client, store, run_id="expected", notify=lambda m: None), project)
    finally:
        store.close()
        client.close()
    return client.stats.requests, len(later_pages)


class Crawler:
    """Starts `python -m tests.crawl_cli` against the server and can SIGKILL it at a seeded moment."""

    def __init__(self, server: FakeServer, token: str, db: Path, slugs: list[str], logs: Path):
        self.server, self.db, self.slugs, self.logs = server, db, slugs, logs
        self.env = live_env(server.url, token, db)
        self.runs = 0

    def run(self, *, kill_after_requests: int | None = None, kill_after_s: float | None = None,
            delay_s: float = 0.0) -> tuple[int, bool, str]:  # fmt: skip
        """Returns (exit status, whether our SIGKILL ended it, the last line of its stderr)."""
        self.runs += 1
        log = self.logs / f"run-{self.runs:02d}.log"
        cmd = [sys.executable, "-m", "tests.crawl_cli", "--projects", ",".join(self.slugs), "--timeout",
               str(CLIENT_TIMEOUT_S), "--max-sleep", str(MAX_SLEEP_S)]  # fmt: skip
        killed = threading.Event()
        with log.open("w") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)

            def kill():
                if proc.poll() is None:
                    killed.set()
                    proc.send_signal(signal.SIGKILL)

            timers = []
            if kill_after_s is not None:
                timers.append(threading.Timer(kill_after_s, kill))
                timers[-1].start()
            if kill_after_requests is not None:
                target = self.server.requests + kill_after_requests

                def on_request(index):
                    if index >= target and not timers:
                        timers.append(
                            threading.Timer(delay_s, kill)
                        )  # mid-page: parsing, upserting, committing
                        timers[-1].start()

                self.server.on_request = on_request
            try:
                rc = proc.wait(timeout=RUN_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = proc.wait()
            finally:
                self.server.on_request = None
                for t in timers:
                    t.cancel()
        tail = [line for line in log.read_text(errors="replace").splitlines() if line.strip()][-1:] or [""]
        return rc, killed.is_set() and rc == -signal.SIGKILL, tail[0]


def run_chaos(seed: int, kills: int, fault_rate: float, slugs: list[str] | None = None, *, drift: int = 8,
              workdir: Path | None = None) -> ChaosResult:  # fmt: skip
    registry = load_projects(ROOT / "pipelines" / "projects.yaml")
    projects = [p for p in registry if not slugs or p.slug in slugs]
    slugs = [p.slug for p in projects]
    world = load_world()
    repos = [world.repo(name).full_name for p in projects for name in p.repos]
    plan = plan_drift(world, seed, drift, repos)
    owned = workdir is None
    work = Path(tempfile.mkdtemp(prefix="vitals-chaos-")) if owned else Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    notes: list[str] = []

    expected = work / "expected.duckdb"
    reference_requests, later_pages = crawl_in_process(final_world(world, plan), projects, expected)

    rng = random.Random(f"kills-{seed}")
    faults = FaultPlan(seed, fault_rate)
    drifting = Drift(plan, seed, later_pages)  # ~70% while crawling, the rest just before the refresh
    token = fake_token(random.Random(f"token-{seed}"))
    with FakeServer(fork_world(world, repos), token=token, faults=faults, drift=drifting) as server:
        crawler = Crawler(server, token, work / "chaos.duckdb", slugs, work)
        done = 0
        span = max(2, reference_requests // (kills + 1))
        while crawler.runs < kills + 10:
            pending = done < kills
            if pending and rng.random() < 0.2:
                # a moment by the clock: start-up, opening the database, or anywhere in between
                rc, killed, tail = crawler.run(kill_after_s=rng.uniform(0.8, 2.0))
            elif pending:
                rc, killed, tail = crawler.run(kill_after_requests=rng.randint(1, span),
                                               delay_s=rng.uniform(0.0, 0.05))  # fmt: skip
            else:
                rc, killed, tail = crawler.run()
            if killed:
                done += 1
            elif rc != 0:
                # resumed, as an operator would; noted, because the fault plan alone should never cause it
                notes.append(f"run {crawler.runs} exited {rc}: {tail}")
            elif not pending:
                break
            else:
                span = max(2, server.requests // crawler.runs)  # it finished first: aim within one run
        else:
            notes.append(f"gave up after {crawler.runs} runs: the crawl kept failing")
        # the world reaches its final state; a refresh with no faults must bring the store to it
        while_crawling = drifting.applied
        # without drift this must already be identical; with it, rows changed after their pass are stale
        before, settled = compare(expected, work / "chaos.duckdb")
        notes.append("before the refresh: " + (", ".join(
            f"{t} lost={d.lost} duplicated={d.duplicated}" for t, d in before.items() if d.lost or d.duplicated)
            or "identical"))  # fmt: skip
        drifting.finish(server.world)
        faults.enabled = drifting.enabled = False
        rc, _, tail = crawler.run()
        if rc != 0:
            notes.append(f"refresh exited {rc}: {tail}")
        leaked = [p.name for p in work.glob("run-*.log") if token in p.read_text(errors="replace")]
        if leaked:
            notes.append(f"the token appears in {', '.join(leaked)}")
    diffs, identical = compare(expected, work / "chaos.duckdb")
    identical = identical and rc == 0 and not leaked
    notes.append(f"runs={crawler.runs} requests={server.requests} drift={while_crawling}+{drifting.applied - while_crawling} "
                 f"fault_kinds={dict(sorted(faults.injected.items()))} seconds={time.monotonic() - started:.1f}")  # fmt: skip
    if owned and identical:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    elif not identical:
        notes.append(f"kept for inspection: {work}")
    for d in diffs.values():
        notes += d.examples[:5]
    return ChaosResult(seed, done, faults.total, diffs, identical, notes, settled)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.chaos", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs of the crawl subprocess (default 3)")
    parser.add_argument(
        "--fault-rate", type=float, default=0.1, help="share of requests that fail (default 0.1)"
    )
    parser.add_argument("--projects", default="", help="comma-separated slugs (default: all four)")
    parser.add_argument("--drift", type=int, default=8, help="world mutations while crawling (default 8)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep databases and logs here")
    args = parser.parse_args(argv)
    slugs = [s for s in args.projects.split(",") if s] or None
    result = run_chaos(args.seed, args.kills, args.fault_rate, slugs, drift=args.drift, workdir=args.workdir)
    for note in result.notes:
        print(f"  {note}")
    for table, d in result.diffs.items():
        if d.lost or d.duplicated:
            print(f"  {table}: missing={d.missing} stale={d.stale} extra={d.extra} doubled={d.doubled}")
    print(result.line())
    return 0 if result.identical else 1


if __name__ == "__main__":
    sys.exit(main())
