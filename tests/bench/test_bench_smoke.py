"""Smoke tests of the benchmark code at the tiny scale: never timed, only that the figures mean what they say."""

import datetime as dt
import re

import duckdb
import pytest

from bench import compare, generate, ingest, pg
from bench.__main__ import summary
from metrics.build import build_metrics
from pipelines.config import Project

AS_OF = dt.date(2026, 8, 1)
RAW_TABLES = (
    "raw_projects",
    "raw_issues",
    "raw_comments",
    "raw_reviews",
    "raw_commits",
    "raw_maintainer_files",
)


def content_hash(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """An order-independent fingerprint of each raw table (row order may differ between runs, rows may not)."""
    return {t: con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {t} AS t").fetchone() for t in RAW_TABLES}


def tiny(seed: int = 0) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    generate.generate(con, "tiny", seed)
    return con


def build(con: duckdb.DuckDBPyConnection) -> None:
    slugs = [r[0] for r in con.execute("SELECT project FROM raw_projects ORDER BY 1").fetchall()]
    build_metrics(con, AS_OF, "replay", [Project(slug=s, name=s, repos=()) for s in slugs])


@pytest.fixture(scope="module")
def built():
    con = tiny()
    build(con)
    return con


def test_the_generator_is_deterministic_from_its_seed():
    first, again, other = content_hash(tiny(0)), content_hash(tiny(0)), content_hash(tiny(1))
    assert first == again
    assert all(first[t] != other[t] for t in RAW_TABLES)


def test_generated_data_has_skew_bots_agents_core_teams_and_both_kinds_of_mail(built):
    sizes = [
        r[0]
        for r in built.execute(
            "SELECT count(*) FROM contributions GROUP BY project ORDER BY 1 DESC"
        ).fetchall()
    ]
    assert sizes[0] > 3 * sizes[-1]  # a few large projects, a long tail
    bots = {r[0] for r in built.execute("SELECT login FROM contributors WHERE class = 'bot'").fetchall()}
    assert any(b.endswith("[bot]") for b in bots) and "k8s-ci-robot" in bots
    assert built.execute("SELECT count(*) FROM contributors WHERE is_ai_agent").fetchone()[0] > 0
    from_files = "SELECT count(DISTINCT project) FROM contributors WHERE core_reason LIKE 'maintainer_file:%'"
    assert (
        built.execute(from_files).fetchone()[0]
        == built.execute("SELECT count(*) FROM projects").fetchone()[0]
    )
    orgs = {r[0] for r in built.execute("SELECT DISTINCT organisation FROM stg_commits").fetchall()}
    assert "independent" in orgs and "google.com" in orgs
    assert (
        built.execute("SELECT count(*) FROM raw_issues WHERE created_at >= DATE '2026-08-01'").fetchone()[0]
        > 0
    )


def test_the_equality_check_passes_equal_values_and_floats_within_the_tolerance():
    duck = [{"project": "p", "window_days": 30, "n": 3, "share": 0.1 + 0.2, "when": dt.date(2026, 7, 2)}]
    same = [{"project": "p", "window_days": "30", "n": "3", "share": "0.3", "when": "2026-07-02"}]
    assert compare.differences(duck, same, ("project", "window_days"), "pm") == []


def test_the_equality_check_catches_a_wrong_value_a_missing_row_and_a_null():
    duck = [{"project": "p", "window_days": 30, "n": 3, "share": 0.25}]
    wrong = [{"project": "p", "window_days": "30", "n": "4", "share": "0.25"}]
    assert compare.differences(duck, wrong, ("project", "window_days"), "pm") == [
        "pm ('p', '30').n: DuckDB 3 != PostgreSQL '4'"
    ]
    assert compare.differences(duck, [], ("project", "window_days"), "pm") == [
        "pm ('p', '30'): missing in PostgreSQL"
    ]
    null = [{"project": "p", "window_days": "30", "n": "3", "share": None}]
    assert len(compare.differences(duck, null, ("project", "window_days"), "pm")) == 1


@pytest.mark.skipif(
    pg.bindir() is None, reason="PostgreSQL is not installed here (apt-get install postgresql)"
)
def test_postgres_builds_the_same_metrics_and_a_wrong_one_is_caught(built):
    with pg.Cluster() as cluster:
        cluster.load_raw(built)
        cluster.build(AS_OF)
        check = compare.compare(built, cluster)
        assert check["equal"], check["problems"]
        assert check["values_compared"] > 1000
        project = check["projects"][0]
        cluster.psql(
            f"UPDATE project_metrics SET contributions = contributions + 1 WHERE project = '{project}' "
            "AND window_days = 90",
            schema="build",
        )
        wrong = compare.compare(built, cluster)
    assert not wrong["equal"]
    assert any(f"'{project}', '90').contributions" in p for p in wrong["problems"])


def test_ingest_through_the_store_and_through_read_json_store_the_same_rows(tmp_path):
    pages = tmp_path / "pages"
    manifest = ingest.extract_cassette_pages(pages)
    assert {p["endpoint"] for p in manifest} == {"issues", "comments", "commits", "reviews"}
    store = ingest.load_with_store(pages, tmp_path / "store.duckdb")
    read_json = ingest.load_with_read_json(pages, tmp_path / "read_json.duckdb")
    assert store["items"] == read_json["items"] == sum(p["items"] for p in manifest)
    assert set(ingest.differences(tmp_path / "store.duckdb", tmp_path / "read_json.duckdb").values()) == {0}


def test_the_summary_line_has_every_figure_in_its_format():
    def spread(x):
        return {"median": x, "min": x, "max": x}

    results = {
        "metrics": {"seconds": spread(2.0), "peak_rss_mb": spread(900.0)},
        "postgres": {"seconds": spread(50.0), "equality": {"equal": True}},
        "ingest": {
            "store_seconds": spread(3.0),
            "read_json_seconds": spread(1.0),
            "store_peak_rss_mb": spread(300.0),
        },
        "crawl": {"ratio": 1.017, "refresh_rate_limited": 0, "peak_rss_mb": 250.0},
    }
    line = summary(results)
    assert re.fullmatch(
        r"bench: metrics_speedup_vs_postgres=\d+\.\d ingest_ratio_vs_read_json=\d+\.\d\d "
        r"crawl_requests_vs_minimum=\d+\.\d{3} refresh_rate_limited_requests=\d+ peak_rss_mb=\d+",
        line,
    )
    assert "metrics_speedup_vs_postgres=25.0 " in line and "peak_rss_mb=900" in line
    results["postgres"]["equality"]["equal"] = False  # a faster wrong answer does not count
    assert "metrics_speedup_vs_postgres=n/a " in summary(results)
