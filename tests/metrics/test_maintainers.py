"""Maintainer-file parsing and the point-in-time maintainer_roles table."""

import csv
import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from metrics.maintainers import (
    Role,
    build_maintainer_roles,
    maintainer_roles_frame,
    parse_codeowners,
    parse_file,
    parse_markdown,
    parse_owners,
    parse_owners_aliases,
)
from tests.metrics.rawrows import Raw, ts

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "source" / "projects"


def test_owners_reads_top_level_and_every_filter_with_emeritus_apart():
    text = """
approvers: [alice, "@Bob"]
reviewers:
  - carol
emeritus_approvers: [dave]
filters:
  ".*":
    approvers: [erin]
    emeritus_reviewers: [frank]
  "\\\\.go$":
    reviewers: [grace]
options:
  no_parent_owners: true
"""
    roles, used = parse_owners(text)
    assert set(roles) == {
        Role("alice", "approver"),
        Role("Bob", "approver"),
        Role("carol", "reviewer"),
        Role("dave", "emeritus"),
        Role("erin", "approver"),
        Role("frank", "emeritus"),
        Role("grace", "reviewer"),
    }
    assert used == set()


def test_owners_expands_aliases_case_insensitively_and_records_which_were_used():
    aliases = parse_owners_aliases("aliases:\n  Sig-Approvers: [alice, bob]\n  unused-reviewers: [carol]\n")
    assert aliases == {"sig-approvers": ["alice", "bob"], "unused-reviewers": ["carol"]}
    roles, used = parse_owners("approvers: [sig-approvers]\nreviewers: [SIG-APPROVERS, dan]\n", aliases)
    assert set(roles) == {
        Role("alice", "approver"),
        Role("bob", "approver"),
        Role("alice", "reviewer"),
        Role("bob", "reviewer"),
        Role("dan", "reviewer"),
    }
    assert used == {"sig-approvers"}


def test_broken_yaml_names_nobody_instead_of_failing():
    assert parse_owners("approvers: [alice\n  - : :")[0] == []
    assert parse_owners_aliases("- just a list") == {}


def test_codeowners_takes_at_logins_but_not_teams_emails_or_comments():
    text = """# owners: @not-a-rule
*       @Fei-Guo  @zhuangqh
/docs/  @kaito-project/docs-team  someone@example.com
/api/   @alice # trailing comment @mallory
"""
    assert parse_codeowners(text) == [
        Role("Fei-Guo", "codeowner"),
        Role("zhuangqh", "codeowner"),
        Role("alice", "codeowner"),
    ]


def test_markdown_emeritus_label_line_makes_following_entries_emeritus():
    # kaito's MAINTAINERS.md
    text = "# Overview\n## Maintainers\n* Fei Guo @Fei-Guo\n* Qinghui Zhuang @zhuangqh\nEmeritus:\n* Ernest Wong @chewong\n"
    assert parse_markdown(text) == [
        Role("Fei-Guo", "maintainer"),
        Role("zhuangqh", "maintainer"),
        Role("chewong", "emeritus"),
    ]


def test_markdown_emeritus_heading_lasts_until_a_heading_of_the_same_level():
    text = """# Maintainers
## Current
| Name | GitHub ID |
|---|---|
| Klaus | [k82cn](https://github.com/k82cn) |
## Former maintainers
### Retired in 2024
| Name | GitHub ID |
|---|---|
| Quinton | [quinton-hoole](https://github.com/quinton-hoole/) |
* @hex108
## Reviewers
* @william-wang
"""
    assert parse_markdown(text) == [
        Role("k82cn", "maintainer"),
        Role("quinton-hoole", "emeritus"),
        Role("hex108", "emeritus"),
        Role("william-wang", "maintainer"),
    ]


def test_markdown_ignores_repo_links_org_pages_emails_and_the_repo_owner():
    text = """See [community](https://github.com/volcano-sh/community/blob/master/MAINTAINERS.md),
[roadmap](https://github.com/orgs/kaito-project/projects/1), mail maintainers@example.com or @team.io,
the [org](https://github.com/volcano-sh), team @volcano-sh/maintainers, and ask @alice.
"""
    assert parse_markdown(text, exclude={"volcano-sh"}) == [Role("alice", "maintainer")]


def test_markdown_reads_bare_handles_from_a_github_column_and_status_cells():
    text = """| Name | GitHub | Status |
|------|--------|--------|
| Ann  | ann-h  | Active |
| Ben  | `@benb` | Emeritus |
"""
    assert parse_markdown(text) == [Role("ann-h", "maintainer"), Role("benb", "emeritus")]


def test_owners_aliases_alone_gives_roles_by_alias_name():
    text = "aliases:\n  kueue-approvers: [mimowo]\n  kueue-reviewers: [kshalot]\n  release-team: [singularity23x0]\n"
    assert set(parse_file("o/r", "OWNERS_ALIASES", text)) == {
        Role("mimowo", "approver"),
        Role("kshalot", "reviewer"),
        Role("singularity23x0", "member"),
    }


def test_unknown_file_kinds_give_no_roles():
    assert parse_file("o/r", "community-membership.md", "@alice") == []


@pytest.mark.parametrize("slug", ["kaito", "kueue", "volcano", "kai-scheduler"])
def test_fixture_maintainer_files_give_the_roles_listed_in_maintainers_csv(slug):
    folder = FIXTURES / slug
    repo = {"kaito": "kaito-project/kaito", "kueue": "kubernetes-sigs/kueue", "volcano": "volcano-sh/volcano",
            "kai-scheduler": "kai-scheduler/KAI-Scheduler"}[slug]  # fmt: skip
    expected = set()
    with (folder / "maintainers.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            # the csv files alias members under OWNERS_ALIASES; we attribute them to the OWNERS that uses them
            source = "OWNERS" if row["source_file"] == "OWNERS_ALIASES" else row["source_file"]
            expected.add((row["login"].lower(), row["role"], source.replace("volcano-sh_community/", "")))
    maintainers = folder / "maintainers"
    aliases_file = maintainers / "OWNERS_ALIASES"
    aliases = parse_owners_aliases(aliases_file.read_text()) if aliases_file.exists() else {}
    got = set()
    for path in sorted(p for p in maintainers.rglob("*") if p.is_file() and p.name != "OWNERS_ALIASES"):
        rel = path.relative_to(maintainers).as_posix()
        label = rel.replace("volcano-sh_community/", "volcano-sh/community:")
        got |= {
            (r.login.lower(), r.role, path.name) for r in parse_file(repo, label, path.read_text(), aliases)
        }
    if slug == "volcano":
        # maintainers.csv leaves out volcano-sh/community's OWNERS (a subset of volcano's own OWNERS)
        got = {g for g in got if not (g[2] == "OWNERS" and g not in expected)}
    assert got == expected


def _files(*rows) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"project": "p", "repo": "o/r", "path": path, "commit_sha": sha, "committed_at": ts(at),
             "is_head": head, "deleted": content is None and sha != "pending", "content": content}
            for path, sha, at, head, content in rows
        ],
        schema={"project": pl.String, "repo": pl.String, "path": pl.String, "commit_sha": pl.String,
                "committed_at": pl.Datetime("us"), "is_head": pl.Boolean, "deleted": pl.Boolean, "content": pl.String},
    )  # fmt: skip


def _intervals(frame: pl.DataFrame) -> list[tuple]:
    return sorted(
        (
            r["path"],
            r["login_lower"],
            r["role"],
            r["valid_from"],
            r["valid_to"],
            r["is_head"],
            r["commit_sha"],
        )
        for r in frame.iter_rows(named=True)
    )


def test_each_version_is_valid_until_the_next_and_a_deletion_ends_it():
    frame = maintainer_roles_frame(
        _files(
            ("MAINTAINERS.md", "a1", "2024-01-01", False, "* @alice"),
            ("MAINTAINERS.md", "a2", "2024-06-01", False, "* @alice\n* @Bob"),
            ("MAINTAINERS.md", "a3", "2025-01-01", False, None),  # deleted
            ("CODEOWNERS", "c1", "2024-03-01", True, "* @carol"),
        )
    )
    d = dt.datetime
    assert _intervals(frame) == [
        ("CODEOWNERS", "carol", "codeowner", d(2024, 3, 1), None, True, "c1"),
        ("MAINTAINERS.md", "alice", "maintainer", d(2024, 1, 1), d(2024, 6, 1), False, "a1"),
        ("MAINTAINERS.md", "alice", "maintainer", d(2024, 6, 1), d(2025, 1, 1), False, "a2"),
        ("MAINTAINERS.md", "bob", "maintainer", d(2024, 6, 1), d(2025, 1, 1), False, "a2"),
    ]


def test_owners_roles_follow_the_aliases_valid_at_each_moment():
    # OWNERS never changes; OWNERS_ALIASES adds bob to the alias on 2024-05-01
    frame = maintainer_roles_frame(
        _files(
            ("OWNERS", "o1", "2024-01-01", True, "approvers: [core-approvers]"),
            ("OWNERS_ALIASES", "x1", "2024-02-01", False, "aliases:\n  core-approvers: [alice]\n"),
            ("OWNERS_ALIASES", "x2", "2024-05-01", True, "aliases:\n  core-approvers: [alice, bob]\n"),
        )
    )
    d = dt.datetime
    assert _intervals(frame) == [
        # before any aliases file, `core-approvers` is taken as a login: no alias of that name existed
        ("OWNERS", "alice", "approver", d(2024, 2, 1), None, True, "o1"),
        ("OWNERS", "bob", "approver", d(2024, 5, 1), None, True, "o1"),
        ("OWNERS", "core-approvers", "approver", d(2024, 1, 1), d(2024, 2, 1), False, "o1"),
    ]


def test_versions_whose_content_is_not_fetched_yet_are_skipped():
    frame = maintainer_roles_frame(
        _files(
            ("MAINTAINERS.md", "a1", "2024-01-01", False, "* @alice"),
            ("MAINTAINERS.md", "pending", "2024-06-01", True, None),
        )
    )
    assert _intervals(frame) == [
        ("MAINTAINERS.md", "alice", "maintainer", dt.datetime(2024, 1, 1), None, False, "a1")
    ]


def test_build_maintainer_roles_writes_the_table_from_raw_maintainer_files():
    con = duckdb.connect()
    raw = Raw(con).project()
    raw.maintainer_file(
        "OWNERS", "s1", "2024-01-01", "approvers: [Alice]\nemeritus_approvers: [dave]", is_head=True
    )
    assert build_maintainer_roles(con) == 2
    assert con.execute(
        "SELECT project, repo, path, commit_sha, valid_from, valid_to, is_head, login, login_lower, role "
        "FROM maintainer_roles ORDER BY role"
    ).fetchall() == [
        ("p", "org/repo", "OWNERS", "s1", dt.datetime(2024, 1, 1), None, True, "Alice", "alice", "approver"),
        ("p", "org/repo", "OWNERS", "s1", dt.datetime(2024, 1, 1), None, True, "dave", "dave", "emeritus"),
    ]


def test_build_maintainer_roles_on_no_files_leaves_an_empty_typed_table():
    con = duckdb.connect()
    Raw(con)
    assert build_maintainer_roles(con) == 0
    assert con.execute("SELECT count(*) FROM maintainer_roles").fetchall() == [(0,)]
