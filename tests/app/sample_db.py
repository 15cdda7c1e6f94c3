"""A small Vitals database for the app tests: hand-made raw rows for four projects, the real SQL on top."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from metrics import conformance as cf
from metrics import db
from metrics.build import build_metrics
from metrics.scoring import build_scorecard
from pipelines.config import ROOT, Project
from pipelines.conformance import store

CONFORMANCE = ROOT / "fixtures" / "source" / "conformance"
AS_OF = dt.date(2026, 8, 1)
FETCHED = dt.datetime(2026, 8, 1, 6, 0)
HISTORY_START = dt.date(2025, 3, 3)  # a Monday; 365-day windows get a previous window to compare


@dataclass(frozen=True)
class Profile:
    """How one synthetic project behaves; weekly rates grow (or shrink) linearly by `trend` over the history."""

    slug: str
    repo: str
    core: int
    externals: int
    issues_per_week: float
    prs_per_week: float
    response_hours: float
    orgs: tuple[str, ...]
    trend: float
    top_author_weight: float  # >1 concentrates merged PRs on one core author (a low lottery factor)


PROFILES = (
    # strong and growing, cited by a current valid submission: grade A
    Profile(
        "kueue",
        "kubernetes-sigs/kueue",
        6,
        60,
        3.0,
        8.0,
        4.0,
        ("google.com", "redhat.com", "ibm.com"),
        1.6,
        1,
    ),
    # strong too, but cited only by an older submission (gate WARN): capped at B
    Profile(
        "volcano",
        "volcano-sh/volcano",
        5,
        50,
        3.0,
        7.0,
        6.0,
        ("huawei.com", "example.org", "ibm.com"),
        1.4,
        1,
    ),
    # middling: PASS, slower answers, one organisation writes most commits
    Profile("kaito", "kaito-project/kaito", 3, 12, 1.0, 3.0, 40.0, ("microsoft.com",), 1.0, 4),
    # small and shrinking, never cited: few items behind each metric (small samples)
    Profile("kai-scheduler", "NVIDIA/KAI-Scheduler", 2, 6, 0.3, 1.5, 200.0, ("nvidia.com",), 0.4, 6),
)


def _at(day: dt.date, hour: float) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hour)


def _project_rows(profile: Profile, first_id: int) -> dict[str, list[dict]]:
    """Raw rows of one project, by raw table. Random but deterministic: seeded by the slug."""
    rng = random.Random(profile.slug)
    ids = iter(range(first_id, first_id + 10_000_000))
    core = [f"{profile.slug}-core{i}" for i in range(profile.core)]
    externals = [f"{profile.slug}-user{i}" for i in range(profile.externals)]
    end = dt.datetime.combine(AS_OF, dt.time())
    common = {"project": profile.slug, "repo": profile.repo, "fetched_at": FETCHED}
    out: dict[str, list[dict]] = {"raw_issues": [], "raw_comments": [], "raw_reviews": [], "raw_commits": []}
    weeks = (AS_OF - HISTORY_START).days // 7
    number = 0
    for week in range(weeks):
        start = HISTORY_START + dt.timedelta(weeks=week)
        growth = 1 + (profile.trend - 1) * week / weeks
        for is_pr, rate in ((False, profile.issues_per_week), (True, profile.prs_per_week)):
            for _ in range(int(rate * growth + rng.random())):
                number += 1
                day = start + dt.timedelta(days=rng.randrange(7))
                created = _at(day, rng.uniform(0, 23))
                if is_pr:
                    weights = [profile.top_author_weight] + [1] * (len(core) - 1) + [0.5] * len(externals)
                    author = rng.choices(core + externals, weights=weights)[0]
                else:
                    author = rng.choice(externals + core[:1])
                merged = (
                    created + dt.timedelta(hours=rng.uniform(6, 96))
                    if is_pr and rng.random() < 0.85
                    else None
                )
                merged = merged if merged and merged < end else None
                out["raw_issues"].append(common | {
                    "id": next(ids), "number": number, "is_pull_request": is_pr, "author_login": author,
                    "author_type": "User", "author_association": "COLLABORATOR" if author in core else "NONE",
                    "state": "closed" if merged else "open", "created_at": created, "updated_at": created,
                    "closed_at": merged, "merged_at": merged, "labels": [], "comments": 0,
                })  # fmt: skip
                answer = created + dt.timedelta(hours=rng.expovariate(1 / profile.response_hours))
                responder = rng.choice([c for c in core if c != author])
                reply = {"id": next(ids), "author_login": responder, "author_type": "User",
                         "author_association": "COLLABORATOR"}  # fmt: skip
                if answer < end and is_pr:
                    out["raw_reviews"].append(common | reply | {"pr_number": number, "state": "COMMENTED",
                                                                "submitted_at": answer})  # fmt: skip
                elif answer < end:
                    out["raw_comments"].append(common | reply | {"issue_number": number, "created_at": answer,
                                                                 "updated_at": answer})  # fmt: skip
                if rng.random() < 0.3:
                    out["raw_comments"].append(common | {
                        "id": next(ids), "issue_number": number, "author_login": "k8s-ci-robot",
                        "author_type": "Bot", "author_association": "NONE", "created_at": created,
                        "updated_at": created,
                    })  # fmt: skip
                if merged:
                    domain = rng.choice(profile.orgs) if rng.random() < 0.8 else "gmail.com"
                    out["raw_commits"].append(common | {
                        "sha": f"{profile.slug}-{number:05d}", "author_login": author, "author_type": "User",
                        "author_name": author, "author_email_domain": domain, "authored_at": merged,
                        "committed_at": merged, "parent_count": 1,
                    })  # fmt: skip
    return out


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    frame = pl.DataFrame(rows, infer_schema_length=None)  # noqa: F841 (read by the SQL below)
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM frame")


def _write_projects(con: duckdb.DuckDBPyConnection) -> None:
    tables: dict[str, list[dict]] = {}
    for i, profile in enumerate(PROFILES):
        for table, rows in _project_rows(profile, first_id=1_000_000 * (i + 1)).items():
            tables.setdefault(table, []).extend(rows)
        con.execute(
            "INSERT INTO raw_projects VALUES ($p, $name, [$repo], [], [], false, [], [], [], 'incubating', [], NULL)",
            {"p": profile.slug, "name": profile.slug.replace("-", " ").title(), "repo": profile.repo},
        )
    for table, rows in tables.items():
        _insert(con, table, rows)


def _conformance_files(con: duckdb.DuckDBPyConnection) -> None:
    """Three real submissions, re-labelled so the four projects get PASS, PASS, WARN and NONE."""
    files = {
        "docs/AIConformance-1.34.yaml": None,
        "docs/AIConformance-1.35.yaml": None,
        "docs/AIConformance-1.36.yaml": None,
        # current and valid: cites kueue and kaito
        "v1.36/aks/PRODUCT.yaml": None,
        # valid but for an older checklist: volcano is only WARN (its KAI Scheduler mentions renamed away,
        # so kai-scheduler stays NONE)
        "v1.34/vcluster-private-nodes/PRODUCT.yaml": rb"(?i)kai[\s_-]*scheduler",
    }
    rows = []
    for path, rename in files.items():
        content = (CONFORMANCE / path).read_bytes()
        if rename:
            content = re.sub(rename, b"other-scheduler", content)
        sha = hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()
        rows.append(
            ("github:cncf/k8s-ai-conformance", path, sha, len(content), content, dt.datetime(2026, 8, 1))
        )
    con.executemany("INSERT INTO raw_conformance_files VALUES (?, ?, ?, ?, ?, ?)", rows)
    terms = {p.slug: cf.project_terms((p.slug,), (p.repo,)) for p in PROFILES}
    store.build(con, terms)


def build_sample_db(path: Path) -> Path:
    """Write the sample database to `path` (as_of 2026-08-01, source replay) and return the path."""
    con = duckdb.connect(str(path))
    try:
        db.ensure_raw_schema(con)
        _write_projects(con)
        _conformance_files(con)
        projects = [Project(slug=p.slug, name=p.slug, repos=(p.repo,)) for p in PROFILES]
        build_metrics(con, AS_OF, "replay", projects)
        # a fixed build time, so the pages (and the screenshots of them) are the same on every run
        con.execute("UPDATE vitals_run SET built_at = $t", {"t": FETCHED})
        build_scorecard(con)
    finally:
        con.close()
    return path


if __name__ == "__main__":
    import sys

    print(build_sample_db(Path(sys.argv[1])))
