"""The Streamlit scorecard under AppTest: every page and data state, values checked against the views."""

import contextlib
import json
import subprocess
import sys
import time

import duckdb
import polars as pl
import pyarrow as pa
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from app import data
from pipelines.reports.assets import REPORT_VIEWS, write_view_csv

APP = "../../app/scorecard.py"  # AppTest resolves it from this file's folder


def run_app(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def view(path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql(sql).pl()


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def charts(at: AppTest) -> list[tuple[dict, list[pl.DataFrame]]]:
    """Each Altair chart on the page: its Vega-Lite spec and the data Streamlit sent beside it."""
    return [
        (
            json.loads(e.proto.spec),
            [pl.from_arrow(pa.ipc.open_stream(d.data.data).read_all()) for d in e.proto.datasets],
        )
        for e in at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    ]


@pytest.fixture
def downloads(monkeypatch):
    """Every download button's file name -> bytes, as the page handed them to Streamlit."""
    seen: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if kind.name == "DOWNLOADABLE" and filename:
            seen[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return seen


# ---- overview ------------------------------------------------------------------------------------------------


def test_overview_shows_every_project_with_the_values_of_the_scorecard_view(sample_db):
    at = run_app()
    expected = view(sample_db, "SELECT * FROM scorecard ORDER BY score DESC, project")
    table = at.dataframe[0].value
    assert table["project"].tolist() == expected["project"].to_list()
    for column in ("grade", "score", "unique_outside_issue_authors", "lottery_factor"):
        assert table[column].tolist() == expected[column].to_list(), column
    for column in (
        "contribution_velocity",
        "velocity_change",
        "external_share",
        "median_first_response_hours",
    ):
        assert table[column].tolist() == pytest.approx(expected[column].to_list(), nan_ok=True), column
    assert [g.split()[-1] for g in table["gate"]] == expected["gate"].to_list()
    assert table["page"].tolist() == [f"?project={p}" for p in expected["project"]]
    assert "All projects · 90-day window" in texts(at.subheader)


def test_overview_says_as_of_and_data_source(sample_db):
    at = run_app()
    caption = " ".join(texts(at.caption))
    assert "As of **2026-08-01**" in caption
    assert "replay of the recorded fixtures" in caption


def test_each_grade_explains_itself_with_component_value_points_and_rule(sample_db):
    at = run_app()
    expected = view(sample_db, "SELECT * FROM scorecard_components WHERE window_days = 90")
    grades = view(sample_db, "SELECT project, grade, score, grade_capped FROM scorecard")
    labels = [e.label for e in at.expander]
    for project, grade, score, capped in grades.iter_rows():
        label = next(lbl for lbl in labels if lbl.startswith(f"{project}:"))
        assert f"{grade} · {score}/100" in label
        assert ("capped" in label) == capped
    kueue = next(e for e in at.expander if e.label.startswith("kueue:"))
    table = kueue.table[0].value
    rows = expected.filter(pl.col("project") == "kueue").sort("position")
    assert table["component"].tolist() == rows["component"].to_list()
    assert table["points"].tolist() == rows["points"].to_list()
    assert table["rule"].tolist() == rows["rule"].to_list()
    assert table["value"].tolist() == rows["value_text"].to_list()


def test_a_capped_grade_says_why(sample_db):
    capped = view(sample_db, "SELECT project, grade_note FROM scorecard WHERE grade_capped")
    assert capped.height == 1  # volcano: scores an A, gate WARN
    at = run_app()
    assert any(capped["grade_note"][0] in w for w in texts(at.warning))


def test_the_window_selector_switches_every_value_to_that_window(sample_db):
    at = run_app()
    at.sidebar.radio(key="window").set_value(30).run()
    expected = view(
        sample_db, "SELECT * FROM scorecard_windows WHERE window_days = 30 ORDER BY score DESC, project"
    )
    table = at.dataframe[0].value
    assert table["score"].tolist() == expected["score"].to_list()
    assert table["grade"].tolist() == expected["grade"].to_list()
    assert at.query_params["window"] == "30"
    assert "All projects · 30-day window" in texts(at.subheader)


def test_small_samples_are_flagged_on_the_overview(sample_db):
    at = run_app(window="30")
    flagged = view(
        sample_db,
        "SELECT project, list(label ORDER BY position) AS labels FROM scorecard_components "
        "WHERE window_days = 30 AND small_sample GROUP BY project",
    )
    table = at.dataframe[0].value.set_index("project")
    assert flagged.height > 0
    for project, labels in flagged.iter_rows():
        for label in labels:
            assert label in table.loc[project, "small samples"]


def test_open_button_goes_to_the_project_page(sample_db):
    at = run_app()
    at.button(key="open_kaito").click().run()
    assert at.query_params["project"] == "kaito"
    assert any(s.startswith("Kaito · grade") for s in texts(at.subheader))


# ---- project page --------------------------------------------------------------------------------------------


def test_project_page_is_deep_linkable_and_matches_the_views(sample_db):
    at = run_app(project="kueue")
    row = view(sample_db, "SELECT * FROM scorecard WHERE project = 'kueue'").row(0, named=True)
    assert f"Kueue · grade {row['grade']} · {row['score']}/100" in texts(at.subheader)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["score"] == f"{row['score']}/100"
    assert metrics["outside issue authors"] == str(row["unique_outside_issue_authors"])
    assert metrics["external share"] == f"{100 * row['external_share']:.1f}%"
    assert metrics["lottery factor"] == str(row["lottery_factor"])
    assert at.sidebar.selectbox(key="project").value == "kueue"

    contributors = view(sample_db, "SELECT * FROM contributors WHERE project = 'kueue'")
    table = next(d.value for d in at.dataframe if "core_reason" in d.value.columns)
    assert sorted(table["login"]) == sorted(contributors["login"].to_list())
    assert set(table["class"]) <= {"core", "external", "bot"}

    citations = view(sample_db, "SELECT * FROM conformance_citations WHERE project = 'kueue'")
    table = next(d.value for d in at.dataframe if "requirement_id" in d.value.columns)
    assert sorted(zip(table["platform"], table["requirement_id"], strict=True)) == sorted(
        zip(citations["platform"], citations["requirement_id"], strict=True)
    )
    assert {"kubernetes_version", "platform_name"} <= set(table.columns)
    gate = view(sample_db, "SELECT gate, reasons FROM conformance_gate WHERE project = 'kueue'").row(0)
    assert any(f"Gate **{gate[0]}** — {gate[1]}" in m for m in texts(at.markdown))


def test_project_page_draws_every_chart_from_the_views(sample_db):
    at = run_app(project="kaito")
    drawn = charts(at)
    specs = [spec for spec, _ in drawn]
    titles = {json.dumps(s.get("title", "")) for s in specs} | {
        json.dumps(layer.get("title", "")) for s in specs for layer in s.get("layer", [])
    }
    for title in (
        "Weekly activity by class",
        "Contribution velocity",
        "New vs returning contributors",
        "Time to first response",
        "External PR share",
        "Score components",
    ):
        assert any(title in t for t in titles), title
    weekly = view(sample_db, "SELECT * FROM weekly_activity WHERE project = 'kaito'")
    [drawn_weekly] = next(
        frames for spec, frames in drawn if "Weekly activity" in json.dumps(spec.get("title"))
    )
    by_class = drawn_weekly.pivot(on="class", index="week", values="contributions").sort("week")
    assert by_class["week"].to_list() == weekly["week"].to_list()
    assert by_class["core"].to_list() == weekly["core_contributions"].to_list()
    assert by_class["external"].to_list() == weekly["external_contributions"].to_list()
    assert by_class["bot"].to_list() == weekly["bot_contributions"].to_list()
    [drawn_metrics] = next(
        frames for spec, frames in drawn if "first response" in json.dumps(spec.get("title"))
    )
    metrics = view(sample_db, "SELECT * FROM project_metrics WHERE project = 'kaito' ORDER BY window_days")
    assert drawn_metrics.sort("window_days")["median_first_response_hours"].to_list() == pytest.approx(
        metrics["median_first_response_hours"].to_list()
    )


def test_project_page_offers_every_table_as_csv_like_the_reports(sample_db, downloads, tmp_path):
    run_app(project="volcano")
    assert set(downloads) == {
        f"volcano_{v}.csv"
        for v in (
            "scorecard_windows",
            "scorecard_components",
            "project_metrics",
            "weekly_activity",
            "contributors",
            "conformance_citations",
            "conformance_gate",
        )
    }
    with duckdb.connect(str(sample_db), read_only=True) as con:
        for name in ("weekly_activity", "contributors", "project_metrics", "conformance_gate"):
            report = tmp_path / f"{name}.csv"
            write_view_csv(con, name, REPORT_VIEWS[name], report)
            lines = report.read_text(encoding="utf-8").splitlines()
            volcano = [lines[0]] + [ln for ln in lines[1:] if ln.startswith("volcano,")]
            assert downloads[f"volcano_{name}.csv"].decode("utf-8").splitlines() == volcano, name


def test_overview_download_is_the_scorecard_report(sample_db, downloads, tmp_path):
    run_app()
    with duckdb.connect(str(sample_db), read_only=True) as con:
        write_view_csv(con, "scorecard", REPORT_VIEWS["scorecard"], tmp_path / "scorecard.csv")
    assert downloads["scorecard.csv"] == (tmp_path / "scorecard.csv").read_bytes()


def test_every_report_view_downloads_byte_for_byte_as_the_report(sample_db, tmp_path):
    snap = data.load_snapshot(sample_db)
    frames = {
        "scorecard": snap.frames["scorecard_windows"].filter(pl.col("window_days") == 90),
        **{v: snap.frames[v] for v in REPORT_VIEWS if v != "scorecard"},
    }
    with duckdb.connect(str(sample_db), read_only=True) as con:
        for name, key in REPORT_VIEWS.items():
            write_view_csv(con, name, key, tmp_path / f"{name}.csv")
            app_key = data.VIEWS["scorecard_windows" if name == "scorecard" else name]
            assert data.csv_bytes(frames[name], app_key) == (tmp_path / f"{name}.csv").read_bytes(), name


def test_an_unknown_project_in_the_link_is_named_not_a_traceback(sample_db):
    at = run_app(project="nope")
    assert any("no project `nope`" in w for w in texts(at.warning))
    at = run_app(project="<script>alert(1)</script>")
    assert any("the requested project" in w for w in texts(at.warning))
    assert not any("<script>" in w for w in texts(at.warning))


# ---- compare -------------------------------------------------------------------------------------------------


def test_compare_shows_the_chosen_projects_side_by_side_on_shared_scales(sample_db):
    at = run_app(compare="kueue,kai-scheduler,volcano")
    table = at.dataframe[0].value
    assert list(table.columns[1:]) == ["kai-scheduler", "kueue", "volcano"]
    scores = view(sample_db, "SELECT project, grade, score, gate FROM scorecard")
    for project, grade, score, gate in scores.filter(pl.col("project") != "kaito").iter_rows():
        assert table.loc[0, project] == f"{grade} · {score} · {gate}"
    drawn = charts(at)
    faceted = [spec for spec, _ in drawn if "facet" in spec]
    assert len(faceted) == 2 and all(s["resolve"]["scale"]["y"] == "shared" for s in faceted)
    for _, frames in drawn:  # every chart draws all three projects and nothing else
        assert {p for f in frames for p in f["project"]} == {"kueue", "kai-scheduler", "volcano"}
    assert at.query_params["compare"] == "kueue,kai-scheduler,volcano"


def test_compare_needs_two_projects(sample_db):
    at = run_app(compare="kueue")
    at.sidebar.multiselect(key="compare").set_value(["kueue"]).run()
    assert any("two to four" in i for i in texts(at.info))


# ---- data states ---------------------------------------------------------------------------------------------


def test_missing_database_names_the_command_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("VITALS_DB", str(tmp_path / "nothing-here.duckdb"))
    at = run_app()
    assert any("No database at" in e and "./vitals run" in e for e in texts(at.error))


def test_empty_database_names_the_command_to_run(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    monkeypatch.setenv("VITALS_DB", str(path))
    at = run_app()
    assert any("holds no scorecard yet" in e and "./vitals run" in e for e in texts(at.error))


def test_a_file_that_is_not_duckdb_says_so(tmp_path, monkeypatch):
    path = tmp_path / "junk.duckdb"
    path.write_bytes(b"this is not a database\n" * 100)
    monkeypatch.setenv("VITALS_DB", str(path))
    at = run_app()
    assert any("could not be read" in e and "./vitals run" in e for e in texts(at.error))


def test_missing_optional_views_leave_their_sections_out_with_a_note(sample_db):
    with duckdb.connect(str(sample_db)) as con:
        for name in ("conformance_citations", "conformance_gate", "conformance_submissions"):
            con.execute(f"DROP VIEW {name}")
        con.execute("DROP TABLE contributors")
    at = run_app(project="kaito")
    assert any("Not built yet: contributors, conformance_gate" in i for i in texts(at.info))
    assert any("contributors view is not built yet" in i for i in texts(at.info))
    assert any("No conformance gate for this project" in i for i in texts(at.info))


def test_a_database_from_another_version_says_so(sample_db):
    with duckdb.connect(str(sample_db)) as con:
        con.execute("ALTER TABLE scorecard_windows DROP COLUMN lottery_factor")
    at = run_app()
    assert any("does not have the columns" in e and "./vitals run" in e for e in texts(at.error))


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE OR REPLACE TABLE writer_was_here AS SELECT 1 AS x")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


@contextlib.contextmanager
def write_lock_held(path, seconds: float):
    """A second process that opens the file for writing, changes it and holds the lock for up to `seconds`;
    stopped when the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()


def test_page_waits_for_a_writer_that_finishes_soon(sample_db):
    with write_lock_held(sample_db, 1.5) as writer:
        started = time.monotonic()
        at = run_app()
        assert time.monotonic() - started >= 1.0  # it waited for the lock instead of failing
        assert writer.poll() is not None  # and got in once the writer had gone
        assert len(at.dataframe[0].value) == 4


def test_page_keeps_showing_the_last_data_while_a_writer_holds_the_file(sample_db, monkeypatch):
    monkeypatch.setattr(data, "LOCK_WAIT_S", 0.3)
    at = run_app()
    before = at.dataframe[0].value
    with write_lock_held(sample_db, 60):
        at.run()
        assert not at.exception
        assert any("is writing" in w and "Showing the data read at" in w for w in texts(at.warning))
        assert at.dataframe[0].value.equals(before)
    at.run()  # the writer has gone: fresh data, no warning
    assert not any("is writing" in w for w in texts(at.warning))


def test_a_busy_database_with_nothing_read_yet_says_so(sample_db, monkeypatch):
    monkeypatch.setattr(data, "LOCK_WAIT_S", 0.3)
    with write_lock_held(sample_db, 60):
        at = run_app()
        assert any("is writing" in w and "./vitals run" in w for w in texts(at.warning))
        assert at.button(key="retry")


def test_the_app_offers_no_sql_or_file_input(sample_db):
    for params in ({}, {"project": "kueue"}, {"compare": "kueue,volcano"}):
        at = run_app(**params)
        assert not at.text_input and not at.text_area and not at.get("file_uploader") and not at.chat_input
