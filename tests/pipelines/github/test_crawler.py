"""The crawl: since-cursors, 304 refreshes, idempotent upserts, and resuming after a crash at any page."""

import copy

import duckdb
import pytest

from fixtures.fakegithub import FakeGitHub, Fault
from fixtures.world import iso
from pipelines.config import Project
from pipelines.github.client import GitHubClient, GitHubError
from pipelines.github.crawler import Crawl, crawl_project
from pipelines.github.store import Store
from tests.conftest import FakeClock

KAITO = Project(slug="kaito", name="KAITO", repos=("kaito-project/kaito",), former_names=("Azure/kaito",),
                maintainer_files=("MAINTAINERS.md", "CODEOWNERS"))  # fmt: skip
TABLES = ["raw_issues", "raw_comments", "raw_reviews", "raw_commits", "raw_maintainer_files", "raw_repos"]


def run_crawl(world, db_path, faults=None, project=KAITO):
    fake = FakeGitHub(world, faults=faults)
    clock = FakeClock(fake.clock())
    client = GitHubClient(transport=fake.transport(), sleep=clock.sleep, clock=clock, max_retries=2)
    store = Store(db_path)
    try:
        crawl_project(Crawl(client, store, run_id="t", notify=lambda m: None), project)
    finally:
        store.close()
    return client, fake


def snapshot(db_path):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        out = {}
        for table in TABLES:
            cols = [c for (c,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = $t AND column_name <> 'fetched_at'",
                {"t": table}).fetchall()]  # fmt: skip
            out[table] = sorted(con.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
        return out
    finally:
        con.close()


def test_second_crawl_of_unchanged_data_is_all_304_and_adds_nothing(world, tmp_path):
    db = tmp_path / "a.duckdb"
    first, _ = run_crawl(world, db)
    before = snapshot(db)
    second, fake = run_crawl(world, db)
    assert snapshot(db) == before
    assert second.stats.requests == second.stats.not_modified  # every request a 304
    assert fake.remaining["core"] == 5000
    assert first.stats.requests > 50


def test_refresh_sends_since_and_fetches_only_what_changed(world, tmp_path):
    db = tmp_path / "a.duckdb"
    run_crawl(world, db)
    changed = copy.deepcopy(world)
    repo = changed.repo("kaito-project/kaito")
    issue = repo.issues.pop(500)
    issue["updated_at"], issue["state"], issue["closed_at"] = (
        "2026-08-01T10:00:00Z",
        "closed",
        "2026-08-01T10:00:00Z",
    )
    repo.issues.insert(0, issue)
    urls = []

    def spy(index, method, url):
        urls.append(url)

    client, _ = run_crawl(changed, db, faults=spy)
    issue_urls = [u for u in urls if "/issues?" in u]
    assert all("since=2026-07" in u or "since=2026-08-01T10" in u for u in issue_urls)
    con = duckdb.connect(str(db), read_only=True)
    row = con.execute(
        "SELECT state, closed_at FROM raw_issues WHERE id = $id", {"id": issue["id"]}
    ).fetchone()
    since = con.execute("SELECT since FROM crawl_state WHERE endpoint = 'issues'").fetchone()[0]
    con.close()
    assert row[0] == "closed" and iso(row[1]) == "2026-08-01T10:00:00Z"
    assert since == "2026-08-01T10:00:00Z"
    assert client.stats.requests - client.stats.not_modified <= 4  # changed page, its reviews, the new cursor


@pytest.mark.parametrize("kill_at", [3, 12, 25, 40, 61])
def test_crash_at_any_request_resumes_without_loss_or_duplicates(world, tmp_path, kill_at):
    clean = tmp_path / "clean.duckdb"
    run_crawl(world, clean)
    db = tmp_path / "crashed.duckdb"

    def crash(index, method, url):
        return Fault("status", 400, None, {"message": "simulated crash"}) if index == kill_at else None

    with pytest.raises(GitHubError):
        run_crawl(world, db, faults=crash)
    run_crawl(world, db)  # resume
    assert snapshot(db) == snapshot(clean)


def test_moved_repo_records_the_canonical_name(world, tmp_path):
    db = tmp_path / "a.duckdb"
    run_crawl(world, db)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT requested_name, full_name, moved FROM raw_repo_names ORDER BY 1").fetchall()
    repos = con.execute("SELECT DISTINCT repo FROM raw_issues").fetchall()
    con.close()
    assert rows == [
        ("Azure/kaito", "kaito-project/kaito", True),
        ("kaito-project/kaito", "kaito-project/kaito", False),
    ]
    assert repos == [("kaito-project/kaito",)]


def test_maintainer_file_history_marks_the_newest_version_as_head(world, tmp_path):
    db = tmp_path / "a.duckdb"
    run_crawl(world, db)
    con = duckdb.connect(str(db), read_only=True)
    heads = con.execute(
        "SELECT path, count(*) FILTER (WHERE is_head), count(*) FROM raw_maintainer_files GROUP BY 1 ORDER BY 1"
    ).fetchall()
    con.close()
    expected = {p: len(h) for p, h in world.repo("kaito-project/kaito").file_history.items()}
    assert heads == [
        ("CODEOWNERS", 1, expected["CODEOWNERS"]),
        ("MAINTAINERS.md", 1, expected["MAINTAINERS.md"]),
    ]


def test_a_page_of_the_wrong_shape_stops_the_crawl_with_one_line_and_a_rerun_is_whole(world, tmp_path):
    clean = tmp_path / "clean.duckdb"
    run_crawl(world, clean)
    db = tmp_path / "shaped.duckdb"

    def wrong_shape(index, method, url):  # a 200 whose body is an object where GitHub sends a list
        return Fault("status", 200, None, {"message": "not a list"}) if "/issues?" in url else None

    with pytest.raises(GitHubError, match=r"^unexpected response from .*/issues\?.* \(HTTP 200\)") as err:
        run_crawl(world, db, faults=wrong_shape)
    assert "\n" not in str(err.value)
    run_crawl(world, db)
    assert snapshot(db) == snapshot(clean)


def test_a_failure_mid_listing_keeps_the_whole_pages_read_and_the_cursor_after_them(world, tmp_path):
    db = tmp_path / "a.duckdb"

    def fail_on_page_3(index, method, url):
        return (
            Fault("status", 400, None, {"message": "simulated"})
            if "/issues?" in url and "page=3" in url
            else None
        )

    with pytest.raises(GitHubError):
        run_crawl(world, db, faults=fail_on_page_3)
    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = con.execute("SELECT count(*) FROM raw_issues").fetchone()[0]
        next_url, status = con.execute(
            "SELECT s.next_url, l.status FROM crawl_state s JOIN raw_crawl_log l USING (repo, endpoint) "
            "WHERE s.endpoint = 'issues'"
        ).fetchone()
    finally:
        con.close()
    assert stored == 200  # pages 1 and 2, 100 items each, committed before the error went up
    assert "page=3" in next_url and status == "failed"
    run_crawl(world, db)  # resumes at page 3
    clean = tmp_path / "clean.duckdb"
    run_crawl(world, clean)
    assert snapshot(db) == snapshot(clean)


def test_an_item_of_the_wrong_type_stops_the_crawl_with_one_line_naming_the_field(world, tmp_path):
    def bad_id(index, method, url):
        return Fault("status", 200, None, [{"id": "not-a-number"}]) if "/issues/comments?" in url else None

    with pytest.raises(
        GitHubError, match=r"^unexpected response from .*/issues/comments\?.*\$\[0\]\.id"
    ) as err:
        run_crawl(world, tmp_path / "a.duckdb", faults=bad_id)
    assert "\n" not in str(err.value)


def test_page_batch_is_due_after_its_page_limit_or_its_age(monkeypatch):
    from pipelines.github import crawler

    now = [0.0]
    monkeypatch.setattr(crawler, "PAGES_PER_COMMIT", 3)
    batch = crawler.PageBatch(clock=lambda: now[0])
    assert not batch and not batch.due()
    batch.add([{"id": 1}])
    batch.add([])
    assert batch and not batch.due()
    batch.add([{"id": 2}])
    assert batch.due()  # three pages
    assert batch.take() == [{"id": 1}, {"id": 2}] and not batch
    batch.add([{"id": 3}])
    now[0] += crawler.COMMIT_EVERY_S - 0.01
    assert not batch.due()
    now[0] += 0.01
    assert batch.due()  # the oldest page has waited COMMIT_EVERY_S


def test_a_timestamp_that_is_not_a_time_stops_the_crawl_with_one_line_naming_the_column(world, tmp_path):
    issue = {"id": 1, "number": 1, "state": "open", "created_at": "2024-13-01T00:00:00Z",
             "updated_at": "2024-01-01T00:00:00Z"}  # fmt: skip

    def bad_month(index, method, url):
        return Fault("status", 200, None, [issue]) if "/issues?" in url else None

    db = tmp_path / "a.duckdb"
    with pytest.raises(
        GitHubError, match=r"^unexpected response from .*/issues\?.*raw_issues\.created_at"
    ) as err:
        run_crawl(world, db, faults=bad_month)
    assert "'2024-13-01T00:00:00Z' is not a time" in str(err.value) and "\n" not in str(err.value)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM raw_issues").fetchone()[0] == 0  # nothing half-written
    finally:
        con.close()
