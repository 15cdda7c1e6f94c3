"""project_metrics and weekly_activity on one hand-made project; every expected number is worked out below.

as_of is 2026-08-01 (a Saturday). The 30-day window is [2026-07-02, 2026-08-01), the previous 30 days
[2026-06-02, 2026-07-02); 90 days: [2026-05-03, 2026-08-01); 365 days: [2025-08-01, 2026-08-01).
People: `maint` (OWNERS approver: core), ext1/ext2/ext3 (external), `Jane Doe` (a commit with no linked account),
dependabot[bot] (bot) and Copilot (AI agent, so a bot too).
"""

import datetime as dt

import duckdb
import pytest

from tests.metrics.rawrows import Raw, build, one, rows


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    raw = Raw(c).project(domain_orgs={"globex.com": "Globex", "initech.com": "Globex"})
    raw.maintainer_file("OWNERS", "o1", "2024-01-01", "approvers: [maint]", is_head=True)
    # issues
    raw.issue(1, "ext1", "2026-07-02T00:00")  # exactly at the 30-day window's start: in
    raw.issue(2, "ext2", "2026-07-10")
    raw.issue(3, "maint", "2026-07-15")
    raw.issue(4, "ext1", "2026-08-01T00:00")  # exactly at as_of: out of everything
    raw.issue(
        5, "ext3", "2026-07-01T23:59:59"
    )  # one second before the 30-day window: previous window, 90 days
    # pull requests
    raw.pr(10, "ext1", "2026-07-05", merged="2026-07-06")  # 24 h to merge
    raw.pr(11, "ext2", "2026-07-05", merged="2026-07-07")  # 48 h
    raw.pr(12, "ext1", "2026-07-08", merged="2026-07-11")  # 72 h
    raw.pr(13, "maint", "2026-07-09", closed="2026-07-20")  # closed unmerged
    raw.pr(14, "dependabot[bot]", "2026-07-10", merged="2026-07-10T01:00", author_type="Bot")
    raw.pr(15, "Copilot", "2026-07-12", author_type="Bot")  # still open
    raw.pr(
        16, "ext3", "2026-06-01", merged="2026-07-03"
    )  # opened before every window but 365, merged in all: 768 h
    # responses
    raw.comment(1, "maint", "2026-07-02T06:00")  # #1 answered after 6 h
    raw.comment(2, "ext2", "2026-07-10T01:00")  # the author: not a response
    raw.comment(2, "Copilot", "2026-07-10T02:00", author_type="Bot")  # a bot: not a response -> #2 unanswered
    raw.review(10, "maint", "2026-07-05T12:00")  # 12 h
    raw.comment(11, "ext1", "2026-07-06")  # 24 h (an external reviewer answers too)
    raw.review(12, "maint", "2026-07-08T02:00")  # 2 h
    raw.comment(13, "ext2", "2026-07-09T10:00")  # 10 h
    raw.comment(3, "ext1", "2026-08-01T00:00")  # at as_of: too late, #3 stays unanswered
    # commits on the default branch
    raw.commit(
        "c0", "maint", "2025-01-01", domain="acme.com"
    )  # before every window; in the previous 365 days
    raw.commit("c1", "ext1", "2026-07-06", domain="gmail.com")  # independent
    raw.commit("c2", "ext2", "2026-07-07", domain="acme.com")
    raw.commit("c3", "maint", "2026-07-08", domain="acme.com")
    raw.commit("c4", "ext3", "2026-07-09", domain="globex.com")  # Globex (registry)
    raw.commit("c5", "dependabot[bot]", "2026-07-10", domain="users.noreply.github.com", author_type="Bot")
    raw.commit("c6", None, "2026-07-11", name="Jane Doe", domain="initech.com")  # Globex (registry)
    raw.commit(
        "c7", "maint", "2026-07-12", parents=2, domain="acme.com"
    )  # a merge commit: a commit on the default branch like any other (SPEC)
    raw.commit("c8", "ext2", "2026-07-13", domain="umbrella.com")
    build(c)
    yield c
    c.close()


def metric(con, column, window):
    return one(
        con, f"SELECT {column} FROM project_metrics WHERE project = 'p' AND window_days = $w", {"w": window}
    )


# Contributions in the 30-day window, non-bot:
#   issues opened 3 (#1 ext1, #2 ext2, #3 maint); PRs opened 4 (#10, #11, #12 external, #13 maint);
#   comments 4 (maint on #1, ext2 on #2, ext1 on #11, ext2 on #13); reviews 2 (maint on #10, #12);
#   commits 7 (c1, c2, c3, c4, c6, c7, c8)  -> 20, of which core (maint) 7: #3, #13, the #1 comment, 2 reviews,
#   c3, c7. Bot contributions: #14, #15, Copilot's comment, c5 -> 4 (AI agent: #15 and the comment -> 2); all: 24.
EXPECTED_30 = {
    "issues_opened": 3,
    "unique_issue_authors": 3,
    "unique_outside_issue_authors": 2,  # ext1, ext2
    "prs_opened": 4,
    "prs_merged": 4,  # #10, #11, #12, #16 (the bot's #14 is left out)
    "contributions": 20,
    "contribution_velocity": pytest.approx(20 / (30 / 7)),
    "velocity_change": pytest.approx(20 / 1 - 1),  # previous 30 days: only issue #5
    "external_share": pytest.approx(13 / 20),
    "core_external_ratio": pytest.approx(7 / 13),
    "external_pr_share": pytest.approx(3 / 4),
    "active_contributors": 5,  # ext1, ext2, ext3 (c4), maint, name:jane doe
    "new_contributors": 3,  # ext1, ext2, jane; ext3 began 2026-06-01, maint 2025-01-01
    "lottery_factor": 1,  # ext1 opened 2 of the 4 merged PRs: 2 >= 50 %
    "elephant_factor": 1,  # acme 3 (c2, c3, c7), Globex 2, umbrella 1 of 6: acme alone has 50 %
    "independent_commit_share": pytest.approx(1 / 7),  # c1 of the 7 non-bot commits
    "median_first_response_hours": pytest.approx(10.0),  # 2, 6, 10, 12, 24
    "unanswered_items": 2,  # #2, #3
    "median_pr_merge_hours": pytest.approx(60.0),  # 24, 48, 72, 768 -> (48 + 72) / 2
    "pr_acceptance_ratio": pytest.approx(4 / 5),  # 4 merged, #13 closed unmerged
    "bot_share": pytest.approx(4 / 24),
    "ai_agent_share": pytest.approx(2 / 24),
    "answered_items": 5,
    "prs_closed_unmerged": 1,
    "commits": 7,
    "core_contributions": 7,
    "external_contributions": 13,
    "bot_contributions": 4,
    "ai_agent_contributions": 2,
    "previous_contributions": 1,
}


@pytest.mark.parametrize("column", list(EXPECTED_30))
def test_30_day_window_metric(con, column):
    assert metric(con, column, 30) == EXPECTED_30[column]


# 90 days add issue #5 (ext3, 2026-07-01T23:59:59) and PR #16 (ext3, 2026-06-01): 22 contributions, 15 external.
# The previous 90 days [2026-02-02, 2026-05-03) hold nothing; the previous 365 days hold maint's c0.
@pytest.mark.parametrize(
    ("column", "window", "expected"),
    [
        ("issues_opened", 90, 4),
        ("unique_outside_issue_authors", 90, 3),
        ("prs_opened", 90, 5),
        ("external_pr_share", 90, pytest.approx(4 / 5)),
        ("contributions", 90, 22),
        ("external_share", 90, pytest.approx(15 / 22)),
        ("velocity_change", 90, None),  # previous window empty
        ("new_contributors", 90, 4),  # ext1, ext2, ext3, jane
        ("unanswered_items", 90, 4),  # #2, #3, and now #5 and #16, which nobody answered
        ("contributions", 365, 22),
        ("velocity_change", 365, pytest.approx(22 / 1 - 1)),
        ("contribution_velocity", 365, pytest.approx(22 / (365 / 7))),
        ("lottery_factor", 365, 1),
    ],
)
def test_longer_windows(con, column, window, expected):
    assert metric(con, column, window) == expected


def test_window_rows_have_their_key_and_start(con):
    assert rows(
        con, "SELECT project, as_of, window_days, window_start FROM project_metrics ORDER BY window_days"
    ) == [
        ("p", dt.date(2026, 8, 1), 30, dt.datetime(2026, 7, 2)),
        ("p", dt.date(2026, 8, 1), 90, dt.datetime(2026, 5, 3)),
        ("p", dt.date(2026, 8, 1), 365, dt.datetime(2025, 8, 1)),
    ]


def test_weekly_activity_runs_from_the_first_contribution_week_to_the_week_before_as_of(con):
    # c0 on Wed 2025-01-01 -> week of Mon 2024-12-30; the last day before as_of (Fri 2026-07-31) -> 2026-07-27
    first, last, weeks, partial = one(
        con,
        "SELECT min(week), max(week), count(*), count(*) FILTER (WHERE NOT complete) FROM weekly_activity",
    )
    assert (first, last, weeks, partial) == (dt.date(2024, 12, 30), dt.date(2026, 7, 27), 83, 1)
    assert (
        one(con, "SELECT contributions FROM weekly_activity WHERE week = '2025-06-02'") == 0
    )  # a quiet week


def test_weekly_activity_counts_one_week_by_hand(con):
    # Mon 2026-06-29 .. Sun 2026-07-05: issues #5 and #1, PRs #10 and #11, maint's comment on #1 and review of
    # #10; PR #16 merged on 07-03.
    got = one(
        con,
        "SELECT issues_opened, prs_opened, prs_merged, commits, reviews, comments, contributions, "
        "core_contributions, external_contributions, bot_contributions, active_contributors, new_contributors "
        "FROM weekly_activity WHERE week = '2026-06-29'",
    )
    assert got == (2, 2, 1, 0, 1, 1, 6, 2, 4, 0, 4, 2)  # new: ext1 and ext2 (ext3's first was 06-01)


def test_weekly_totals_add_up_to_the_contributions_table(con):
    # 22 in the 365-day window + c0
    assert one(con, "SELECT sum(contributions) FROM weekly_activity") == 23
    assert one(con, "SELECT sum(bot_contributions), sum(ai_agent_contributions) FROM weekly_activity") == (
        4,
        2,
    )


def test_a_project_with_no_activity_gets_zero_counts_and_null_ratios():
    c = duckdb.connect()
    Raw(c, project="quiet").project()
    build(c)
    got = rows(
        c,
        "SELECT window_days, contributions, prs_merged, external_share, velocity_change, lottery_factor, "
        "elephant_factor, median_first_response_hours, unanswered_items, bot_share FROM project_metrics "
        "ORDER BY window_days",
    )
    assert got == [(w, 0, 0, None, None, None, None, None, 0, None) for w in (30, 90, 365)]


def test_core_external_ratio_is_null_without_external_contributions():
    c = duckdb.connect()
    raw = Raw(c).project(core=["maint"])
    raw.issue(1, "maint", "2026-07-20")
    build(c)
    assert one(
        c, "SELECT core_external_ratio, external_share FROM project_metrics WHERE window_days = 30"
    ) == (
        None,
        0.0,
    )


def test_moving_as_of_moves_every_window():
    c = duckdb.connect()
    raw = Raw(c).project()
    raw.issue(1, "ann", "2026-06-15")
    raw.issue(2, "ann", "2026-07-15")
    build(c, as_of=dt.date(2026, 7, 1))  # [2026-06-01, 2026-07-01): only #1; #2 is in the future
    assert one(c, "SELECT issues_opened FROM project_metrics WHERE window_days = 30") == 1
    assert one(c, "SELECT count(*) FROM contributions") == 1
    build(c, as_of=dt.date(2026, 8, 1))
    assert one(c, "SELECT issues_opened FROM project_metrics WHERE window_days = 30") == 1
    assert one(c, "SELECT count(*) FROM contributions") == 2
    assert rows(c, "SELECT as_of, source FROM vitals_run") == [(dt.date(2026, 8, 1), "replay")]
