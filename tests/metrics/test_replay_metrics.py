"""A few metrics of the four real projects (replay crawl, as_of 2026-08-01) against figures this test counts
straight from the fact files in fixtures/source/, without the SQL, fixtures/world.py or the crawler."""

import csv
import datetime as dt
import math
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from metrics.build import build_metrics
from pipelines.config import AI_AGENTS, DEFAULT_BOTS, ROOT, load_projects
from pipelines.github.assets import projects_registry
from pipelines.resources import VitalsDuckDB

SOURCE = ROOT / "fixtures" / "source"
AS_OF = dt.date(2026, 8, 1)
PROJECTS = load_projects(ROOT / "pipelines" / "projects.yaml")
SLUGS = [p.slug for p in PROJECTS]


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def is_bot(login: str, project) -> bool:
    """SPEC "Who is who": suffixes and the shipped and registry lists (logins compared case-insensitively)."""
    name = login.lower()
    listed = {b.lower() for b in (*DEFAULT_BOTS, *AI_AGENTS, *project.bots, *project.ai_agents)}
    return name in listed or name.endswith(("[bot]", "-bot", "-robot"))


def utc(value: str) -> dt.datetime:
    """A fact's moment in UTC: a timestamp with its offset, or a bare day (the fixtures place it at 12:00)."""
    if len(value) == 10:
        return dt.datetime.fromisoformat(value).replace(hour=12, tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC)


END = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)


def in_window(value: str, window: int) -> bool:
    return END - dt.timedelta(days=window) <= utc(value) < END


@pytest.fixture(scope="module")
def built(replay_crawl, tmp_path_factory):
    path = tmp_path_factory.mktemp("replay-metrics") / "vitals.duckdb"
    shutil.copy(replay_crawl[0], path)
    dg.materialize([projects_registry], resources={"duckdb": VitalsDuckDB(path=str(path))})
    con = duckdb.connect(str(path))
    build_metrics(con, AS_OF, "replay", PROJECTS)
    yield con
    con.close()


def metric(con, slug: str, window: int, column: str):
    return con.execute(
        f"SELECT {column} FROM project_metrics WHERE project = $p AND window_days = $w",
        {"p": slug, "w": window},
    ).fetchall()[0][0]


def issue_facts(project) -> list[tuple[str, str]]:
    """(author, created day) of each issue with a known author; created day = the thread's date, else its
    earliest participant's (what a thread without a created date tells us)."""
    out = []
    for t in rows(SOURCE / "threads" / f"{project.slug}.csv"):
        if t["kind"] != "issue" or not t["author_login"]:
            continue
        dates = [p.split(":")[2] for p in t["participants"].split(";") if p and p.split(":")[2]]
        created = t["created_date"] or (min(dates) if dates else "")
        if created:
            out.append((t["author_login"], created))
    return out


@pytest.mark.parametrize("window", [30, 90, 365])
@pytest.mark.parametrize("slug", SLUGS)
def test_issues_opened_and_unique_issue_authors_match_the_thread_facts(built, slug, window):
    project = next(p for p in PROJECTS if p.slug == slug)
    issues = [(a, d) for a, d in issue_facts(project) if in_window(d, window) and not is_bot(a, project)]
    assert metric(built, slug, window, "issues_opened") == len(issues)
    assert metric(built, slug, window, "unique_issue_authors") == len({a.lower() for a, _ in issues})


@pytest.mark.parametrize("window", [90, 365])
@pytest.mark.parametrize("slug", SLUGS)
def test_commit_contributions_and_independent_share_match_the_git_history(built, slug, window):
    project = next(p for p in PROJECTS if p.slug == slug)
    commits = [
        c for c in rows(SOURCE / "projects" / slug / "commits.csv")
        if utc(c["committed_at"]) < END and in_window(c["authored_at"], window)
        and not is_bot(c["author_login"] or c["author_name"], project)
    ]  # fmt: skip
    counted = built.execute(
        "SELECT count(*) FROM contributions WHERE project = $p AND kind = 'commit' AND actor_class <> 'bot' "
        "AND occurred_at >= $start AND occurred_at < $end",
        {"p": slug, "start": AS_OF - dt.timedelta(days=window), "end": AS_OF},
    ).fetchall()[0][0]
    assert counted == len(commits)
    free = {"gmail.com", "users.noreply.github.com", "outlook.com", "hotmail.com", "qq.com", "163.com",
            "126.com", "yahoo.com", "foxmail.com", "icloud.com", "protonmail.com", "live.com"}  # fmt: skip
    independent = sum(c["author_email_domain"].lower() in free for c in commits)
    share = metric(built, slug, window, "independent_commit_share")
    if commits:
        # the shipped free-mail list is longer than this one: never fewer independent commits than counted here
        assert share >= independent / len(commits) - 1e-9
        assert math.isclose(share * len(commits), round(share * len(commits)))
