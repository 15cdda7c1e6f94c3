"""Scoring rules on hand-made metric rows: each component's points, the grade bands, the A-cap, small samples."""

import datetime as dt

import duckdb
import pytest

from metrics.scoring import ScorecardInputError, build_scorecard

AS_OF = dt.date(2026, 8, 1)
# A project that earns every point at 90 days, with at least 10 items behind every metric.
PERFECT = {
    "issues_opened": 40,
    "unique_outside_issue_authors": 20,
    "contributions": 500,
    "previous_contributions": 400,
    "contribution_velocity": 500 / (90 / 7),
    "external_share": 0.6,
    "elephant_factor": 3,
    "organisation_commits": 100,
    "lottery_factor": 8,
    "prs_merged": 60,
    "median_first_response_hours": 5.0,
    "answered_items": 50,
    "velocity_change": 0.25,
    "unique_outside_issue_authors_at_time": 18,
    "external_share_at_time": 0.55,
}
METRIC_COLUMNS = {
    "issues_opened": "BIGINT",
    "unique_outside_issue_authors": "BIGINT",
    "contributions": "BIGINT",
    "previous_contributions": "BIGINT",
    "contribution_velocity": "DOUBLE",
    "external_share": "DOUBLE",
    "elephant_factor": "BIGINT",
    "organisation_commits": "BIGINT",
    "lottery_factor": "BIGINT",
    "prs_merged": "BIGINT",
    "median_first_response_hours": "DOUBLE",
    "answered_items": "BIGINT",
    "velocity_change": "DOUBLE",
    "unique_outside_issue_authors_at_time": "BIGINT",
    "external_share_at_time": "DOUBLE",
}


@pytest.fixture
def con():
    """The four inputs of the scorecard, empty, with the SPEC's column names (only those it reads)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE vitals_run (as_of DATE, source VARCHAR, built_at TIMESTAMP)")
    con.execute("INSERT INTO vitals_run VALUES ($d, 'replay', $d)", {"d": AS_OF})
    con.execute(
        "CREATE TABLE projects (project VARCHAR, name VARCHAR, repos VARCHAR[], cncf_maturity VARCHAR)"
    )
    con.execute("CREATE TABLE conformance_gate (project VARCHAR, gate VARCHAR, reasons VARCHAR)")
    columns = ", ".join(f"{c} {t}" for c, t in METRIC_COLUMNS.items())
    con.execute(f"CREATE TABLE project_metrics (project VARCHAR, as_of DATE, window_days INTEGER, {columns})")
    yield con
    con.close()


def add(con, project="p", window_days=90, gate="PASS", as_of=AS_OF, **overrides):
    """One project_metrics row (PERFECT unless overridden), its projects row and its gate (None: no row)."""
    row = PERFECT | overrides
    names = ", ".join(METRIC_COLUMNS)
    values = ", ".join(f"${c}" for c in METRIC_COLUMNS)
    con.execute(
        f"INSERT INTO project_metrics (project, as_of, window_days, {names}) VALUES ($p, $as_of, $w, {values})",
        {"p": project, "as_of": as_of, "w": window_days, **{c: row[c] for c in METRIC_COLUMNS}},
    )
    if not con.execute("SELECT 1 FROM projects WHERE project = $p", {"p": project}).fetchall():
        con.execute("INSERT INTO projects VALUES ($p, upper($p), ['org/' || $p], 'sandbox')", {"p": project})
        if gate is not None:
            con.execute("INSERT INTO conformance_gate VALUES ($p, $g, 'because')", {"p": project, "g": gate})


def points(con, metric, project="p", window_days=90):
    build_scorecard(con)
    return con.execute(
        "SELECT points FROM scorecard_components WHERE project = $p AND window_days = $w AND metric = $m",
        {"p": project, "w": window_days, "m": metric},
    ).fetchall()[0][0]


def scorecard(con, project="p"):
    build_scorecard(con)
    cur = con.execute("SELECT * FROM scorecard WHERE project = $p", {"p": project})
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchall()[0], strict=True))


@pytest.mark.parametrize(
    ("window_days", "value", "expected"),
    [
        # thresholds 15 / 8 / 4 / 1 per 90 days -> 20 / 15 / 10 / 5, else 0
        (90, 15, 20), (90, 14, 15), (90, 8, 15), (90, 7, 10), (90, 4, 10), (90, 3, 5), (90, 1, 5), (90, 0, 0),
        # 30 days: thresholds x 30/90 = 5, 2.67, 1.33, 0.33
        (30, 5, 20), (30, 4, 15), (30, 3, 15), (30, 2, 10), (30, 1, 5), (30, 0, 0),
        # 365 days: thresholds x 365/90 = 60.8, 32.4, 16.2, 4.06
        (365, 61, 20), (365, 60, 15), (365, 33, 15), (365, 32, 10), (365, 17, 10), (365, 16, 5), (365, 5, 5),
        (365, 4, 0),
    ],
)  # fmt: skip
def test_community_pull_points_scale_with_the_window(con, window_days, value, expected):
    add(con, window_days=window_days, unique_outside_issue_authors=value)
    assert points(con, "unique_outside_issue_authors", window_days=window_days) == expected


@pytest.mark.parametrize(
    ("metric", "value", "expected"),
    [
        ("external_share", 0.5, 15), ("external_share", 0.4999, 10), ("external_share", 0.3, 10),
        ("external_share", 0.2999, 5), ("external_share", 0.15, 5), ("external_share", 0.1499, 0),
        ("external_share", 0.0, 0), ("external_share", None, 0),
        ("elephant_factor", 5, 10), ("elephant_factor", 3, 10), ("elephant_factor", 2, 6), ("elephant_factor", 1, 0),
        ("elephant_factor", None, 0),
        ("lottery_factor", 6, 20), ("lottery_factor", 5, 14), ("lottery_factor", 4, 14), ("lottery_factor", 3, 7),
        ("lottery_factor", 2, 7), ("lottery_factor", 1, 0), ("lottery_factor", None, 0),
        ("median_first_response_hours", 0.0, 20), ("median_first_response_hours", 24.0, 20),
        ("median_first_response_hours", 24.01, 14), ("median_first_response_hours", 72.0, 14),
        ("median_first_response_hours", 72.5, 7), ("median_first_response_hours", 168.0, 7),
        ("median_first_response_hours", 168.5, 0), ("median_first_response_hours", None, 0),
        ("velocity_change", 3.0, 10), ("velocity_change", 0.10, 10), ("velocity_change", 0.0999, 7),
        ("velocity_change", -0.10, 7), ("velocity_change", -0.1001, 3), ("velocity_change", -0.30, 3),
        ("velocity_change", -0.3001, 0), ("velocity_change", -1.0, 0), ("velocity_change", None, 0),
    ],
)  # fmt: skip
def test_each_component_takes_the_points_of_its_first_matching_band(con, metric, value, expected):
    add(con, **{metric: value})
    assert points(con, metric) == expected


@pytest.mark.parametrize(("gate", "expected"), [("PASS", 5), ("WARN", 2), ("NONE", 0), (None, 0)])
def test_conformance_gate_points(con, gate, expected):
    add(con, gate=gate)
    assert points(con, "gate") == expected


def test_momentum_scores_the_relative_change_not_the_level(con):
    # a big project that slowed down scores lower on momentum than a small one that grew
    add(con, "big", contribution_velocity=900.0, velocity_change=-0.2)
    add(con, "small", contribution_velocity=3.0, velocity_change=0.2)
    assert points(con, "velocity_change", "big") == 3
    assert points(con, "velocity_change", "small") == 10


def test_score_is_the_sum_of_the_points_and_sets_the_grade(con):
    # 15 (9 authors) + 10 (35%) + 6 (2 orgs) + 14 (4 authors) + 14 (50 h) + 7 (0%) + 5 (PASS) = 71 -> B
    add(
        con,
        unique_outside_issue_authors=9,
        external_share=0.35,
        elephant_factor=2,
        lottery_factor=4,
        median_first_response_hours=50.0,
        velocity_change=0.0,
    )
    row = scorecard(con)
    assert row["score"] == 71
    assert (row["grade"], row["grade_capped"], row["grade_note"]) == ("B", False, "")
    assert [
        row[f"{m}_points"] for m in ("unique_outside_issue_authors", "external_share", "elephant_factor")
    ] == [
        15,
        10,
        6,
    ]
    assert row["lottery_factor_points"] == row["median_first_response_hours_points"] == 14
    assert (row["velocity_change_points"], row["gate_points"]) == (7, 5)


@pytest.mark.parametrize(
    ("overrides", "score", "grade"),
    [
        ({}, 100, "A"),
        # 100 - 20 (no outside issue author) = 80: the lowest A
        ({"unique_outside_issue_authors": 0}, 80, "A"),
        # 100 - 15 (3 authors: 5) - 4 (2 organisations: 6) - 6 (lottery 5: 14) = 75
        ({"unique_outside_issue_authors": 3, "elephant_factor": 2, "lottery_factor": 5}, 75, "B"),
        # 100 - 15 - 13 (lottery 3: 7) - 4 - 3 (velocity steady: 7) = 65: the lowest B
        ({"unique_outside_issue_authors": 3, "lottery_factor": 3, "elephant_factor": 2, "velocity_change": 0.0}, 65, "B"),
        # 100 - 20 - 13 - 3 = 64
        ({"unique_outside_issue_authors": 0, "lottery_factor": 3, "velocity_change": 0.0}, 64, "C"),
        # 100 - 20 - 20 (lottery 1) - 10 (elephant 1) = 50: the lowest C
        ({"unique_outside_issue_authors": 0, "lottery_factor": 1, "elephant_factor": 1}, 50, "C"),
        ({"unique_outside_issue_authors": 0, "lottery_factor": 1, "elephant_factor": 1, "velocity_change": 0.0}, 47, "D"),
        # 50 - 15 (external share 10%: 0) = 35: the lowest D
        ({"unique_outside_issue_authors": 0, "lottery_factor": 1, "elephant_factor": 1, "external_share": 0.1}, 35, "D"),
        # 50 - 13 (100 h: 7) - 3 = 34
        ({"unique_outside_issue_authors": 0, "lottery_factor": 1, "elephant_factor": 1,
          "median_first_response_hours": 100.0, "velocity_change": 0.0}, 34, "F"),
        # only the gate's 5 points left
        ({"unique_outside_issue_authors": 0, "lottery_factor": 1, "elephant_factor": 1, "velocity_change": -0.5,
          "median_first_response_hours": 500.0, "external_share": 0.1}, 5, "F"),
    ],
)  # fmt: skip
def test_grade_bands(con, overrides, score, grade):
    add(con, **overrides)
    row = scorecard(con)
    assert (row["score"], row["grade"]) == (score, grade)


@pytest.mark.parametrize("gate", ["WARN", "NONE", None])
def test_a_project_without_gate_pass_is_capped_at_b_and_told_why(con, gate):
    add(con, gate=gate)
    row = scorecard(con)
    # 97 (WARN keeps 2 gate points) or 95: an A by score
    assert row["score"] == 100 - 5 + (2 if gate == "WARN" else 0)
    assert (row["grade"], row["grade_capped"]) == ("B", True)
    assert f"gate is {gate or 'missing'}, not PASS" in row["grade_note"]
    assert row["gate"] == (gate or "NONE")


def test_the_cap_only_touches_an_a(con):
    add(con, "pass", gate="PASS", unique_outside_issue_authors=0, lottery_factor=4, elephant_factor=2)
    add(con, "warn", gate="WARN", unique_outside_issue_authors=0, lottery_factor=4, elephant_factor=2)
    build_scorecard(con)
    rows = con.execute(
        "SELECT project, score, grade, grade_capped FROM scorecard ORDER BY project"
    ).fetchall()
    # 100 - 20 - 6 - 4 = 70 (B) with PASS; 67 (B, not capped) with WARN
    assert rows == [("pass", 70, "B", False), ("warn", 67, "B", False)]


def test_small_samples_are_flagged_and_still_scored(con):
    add(
        con,
        issues_opened=9,
        prs_merged=10,
        answered_items=3,
        organisation_commits=0,
        previous_contributions=4,
    )
    row = scorecard(con)
    assert row["small_sample"] == [
        "unique_outside_issue_authors",
        "elephant_factor",
        "median_first_response_hours",
        "velocity_change",
    ]
    assert row["score"] == 100  # flagged, not hidden and not penalised
    assert (row["unique_outside_issue_authors_sample"], row["velocity_change_sample"]) == (9, 4)
    flags = dict(
        con.execute("SELECT metric, small_sample FROM scorecard_components WHERE window_days = 90").fetchall()
    )
    assert flags["lottery_factor"] is False and flags["unique_outside_issue_authors"] is True


def test_every_component_carries_value_points_and_rule(con):
    add(con, window_days=30, unique_outside_issue_authors=3, gate="WARN")
    build_scorecard(con)
    rows = con.execute(
        "SELECT component, metric, value_text, points, max_points, rule FROM scorecard_components ORDER BY position"
    ).fetchall()
    assert [r[:2] for r in rows] == [
        ("community_pull", "unique_outside_issue_authors"),
        ("diversity", "external_share"),
        ("diversity", "elephant_factor"),
        ("risk", "lottery_factor"),
        ("responsiveness", "median_first_response_hours"),
        ("momentum", "velocity_change"),
        ("conformance", "gate"),
    ]
    assert rows[0][2:] == ("3", 15, 20, "≥ 3 outside issue authors in 30 days (8 per 90 days) → 15 of 20")
    assert rows[1][2:4] == ("60.0%", 15)
    assert rows[4][2] == "5.0 h"
    assert rows[5][2] == "+25.0%"
    assert rows[6][2:] == ("WARN", 2, 5, "gate WARN: cited only by invalid or older submissions → 2 of 5")
    assert sum(r[4] for r in rows) == 100


def test_rows_come_from_the_as_of_in_vitals_run(con):
    add(con, "p", unique_outside_issue_authors=0)
    add(con, "p", as_of=dt.date(2026, 7, 1), unique_outside_issue_authors=20)  # an older build's row
    row = scorecard(con)
    assert (row["as_of"], row["source"], row["unique_outside_issue_authors"]) == (AS_OF, "replay", 0)
    assert con.execute("SELECT count(*) FROM scorecard_windows").fetchall() == [(1,)]


def test_scorecard_is_the_90_day_window_and_scorecard_windows_has_every_window(con):
    for project in ("a", "b"):
        for window in (30, 90, 365):
            add(con, project, window_days=window)
    build_scorecard(con)
    assert con.execute("SELECT project, window_days FROM scorecard ORDER BY 1").fetchall() == [
        ("a", 90),
        ("b", 90),
    ]
    assert con.execute(
        "SELECT count(*), count(DISTINCT (project, window_days)) FROM scorecard_windows"
    ).fetchall() == [(6, 6)]


def test_the_rules_are_data_with_their_words(con):
    build_scorecard(con)
    rules = con.execute("SELECT metric, band, points, max_points, condition FROM scorecard_rules").fetchall()
    maxima = {m: mx for m, _, _, mx, _ in rules}
    assert sum(maxima.values()) == 100
    assert all(p <= mx and text for _, _, p, mx, text in rules)
    grades = con.execute("SELECT grade, min_score FROM scorecard_grades ORDER BY min_score DESC").fetchall()
    assert grades == [("A", 80), ("B", 65), ("C", 50), ("D", 35), ("F", 0)]


def test_a_missing_input_names_the_step_to_run():
    with duckdb.connect() as con, pytest.raises(ScorecardInputError, match="conformance_gate.*./vitals run"):
        con.execute("CREATE TABLE vitals_run (as_of DATE, source VARCHAR)")
        con.execute("CREATE TABLE projects (project VARCHAR)")
        con.execute("CREATE TABLE project_metrics (project VARCHAR)")
        build_scorecard(con)
