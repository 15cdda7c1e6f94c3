"""A replay crawl from the recorded cassettes fills the raw store with exactly the facts in fixtures/source."""

import csv
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from pipelines.config import ROOT, load_projects
from pipelines.github.crawler import Crawl, sync_conformance
from pipelines.github.resources import GitHubResource
from pipelines.github.store import Store
from tests.conftest import replay_project

SOURCE = ROOT / "fixtures" / "source"
CUTOFF = "2026-08-01"


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def before_cutoff(value: str) -> bool:
    moment = dt.datetime.fromisoformat(value)
    return moment.astimezone(dt.UTC) < dt.datetime(2026, 8, 1, tzinfo=dt.UTC)


def expected_counts(slug: str) -> dict[str, int]:
    """Counted straight from the fact files, independently of fixtures/world.py."""
    folder = SOURCE / "projects" / slug
    threads = rows(SOURCE / "threads" / f"{slug}.csv")
    refs = {r["pr_number"]: r for r in rows(folder / "pull_refs.csv")}
    commits = [c for c in rows(folder / "commits.csv") if before_cutoff(c["committed_at"])]
    pr_threads = {t["number"]: t for t in threads if t["kind"] == "pull_request"}

    def first_date(t):
        dates = [p.split(":")[2] for p in t["participants"].split(";") if p and p.split(":")[2]]
        return t["created_date"] or (min(dates) if dates else "")

    prs = 0
    for number in set(refs) | set(pr_threads):
        t, r = pr_threads.get(number), refs.get(number)
        created = (t and t["created_date"]) or (r and r["head_authored_at"]) or (t and first_date(t))
        prs += bool(created) and before_cutoff(created if "T" in created else created + "T12:00:00Z")
    issues = [t for t in threads if t["kind"] == "issue" and t["author_login"] and first_date(t)
              and first_date(t) < CUTOFF]  # fmt: skip
    included = {t["number"] for t in issues} | {
        n for n, t in pr_threads.items()
        if ((t["created_date"] or (refs.get(n) or {}).get("head_authored_at") or first_date(t)) or "9")[:10] < CUTOFF
    }  # fmt: skip
    comments = reviews = 0
    for t in threads:
        if t["number"] not in included or (t["kind"] == "issue" and t not in issues):
            continue
        for p in filter(None, t["participants"].split(";")):
            _login, kind, date = p.split(":")
            if date and date < CUTOFF:
                comments += kind == "comment"
                reviews += kind in ("review", "review_thread") and t["kind"] == "pull_request"
    return {"issues": len(issues) + prs, "commits": len(commits), "comments": comments, "reviews": reviews}


@pytest.fixture(scope="module")
def replayed(replay_crawl, tmp_path_factory):
    db = tmp_path_factory.mktemp("replay") / "vitals.duckdb"
    shutil.copy(replay_crawl[0], db)  # the second-replay test writes to it
    projects = load_projects(ROOT / "pipelines" / "projects.yaml")
    first = replay_crawl[1]
    con = duckdb.connect(str(db), read_only=True)
    counts = {
        (table, project): n
        for table in ("raw_issues", "raw_commits", "raw_comments", "raw_reviews", "raw_maintainer_files")
        for project, n in con.execute(f"SELECT project, count(*) FROM {table} GROUP BY 1").fetchall()
    }
    con.close()
    return db, projects, first, counts


@pytest.mark.parametrize("slug", ["kaito", "kueue", "volcano", "kai-scheduler"])
def test_replay_row_counts_equal_the_fact_files(replayed, slug):
    _, _, _, counts = replayed
    expected = expected_counts(slug)
    assert counts[("raw_issues", slug)] == expected["issues"]
    assert counts[("raw_commits", slug)] == expected["commits"]
    assert counts[("raw_comments", slug)] == expected["comments"]
    assert counts[("raw_reviews", slug)] == expected["reviews"]


def test_replay_stores_every_maintainer_file_version_before_the_cutoff(replayed):
    _, _, _, counts = replayed
    history = rows(SOURCE / "projects" / "kueue" / "maintainer_file_history.csv")
    expected = sum(
        1 for h in history if h["file"] in ("OWNERS", "OWNERS_ALIASES") and before_cutoff(h["authored_at"])
    )
    assert counts[("raw_maintainer_files", "kueue")] == expected


def test_second_replay_adds_no_rows_and_is_answered_with_304s(replayed):
    db, projects, first, _ = replayed
    con = duckdb.connect(str(db), read_only=True)
    before = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("raw_issues", "raw_commits")
    }
    con.close()
    for project in projects:
        requests, not_modified = replay_project(db, project)
        assert requests == not_modified > 0, project.slug
        assert first[project.slug][0] > requests
    con = duckdb.connect(str(db), read_only=True)
    after = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("raw_issues", "raw_commits")}
    con.close()
    assert after == before


def test_replay_of_the_conformance_repo_stores_every_submission(tmp_path):
    store = Store(tmp_path / "c.duckdb")
    with GitHubResource(source="replay").client("conformance", notify=lambda m: None) as client:
        sync_conformance(Crawl(client, store, run_id="r", notify=lambda m: None))
    with store.tx() as con:
        products = con.execute(
            "SELECT count(*) FROM raw_conformance_files WHERE path LIKE '%/PRODUCT.yaml'"
        ).fetchone()[0]
    store.close()
    index = rows(SOURCE / "conformance" / "index.csv")
    assert products == sum(
        1 for r in index if not r["added_committed_at"] or before_cutoff(r["added_committed_at"])
    )


def test_no_secret_is_tracked_by_git():
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    import gzip
    import re

    pattern = re.compile(
        rb"(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|[Aa]uthorization\"?:\s*\[?\"?(token|Bearer|Basic) )"
    )
    for name in files:
        path = ROOT / name
        if not path.is_file():
            continue
        data = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
        assert not pattern.search(data), name
        if name.endswith(".json.gz"):
            assert b'"authorization"' not in data.lower(), name
