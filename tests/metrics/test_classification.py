"""Who is who: bots, AI agents, core (today and at the time), organisations, and what counts as a contribution."""

import duckdb
import pytest

from tests.metrics.rawrows import Raw, build, one, rows


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def _classes(con, project="p"):
    return {
        login: (cls, ai)
        for login, cls, ai in rows(
            con, "SELECT login, class, is_ai_agent FROM contributors WHERE project = $p", {"p": project}
        )
    }


def test_bots_by_type_suffix_shipped_list_and_registry_and_ai_agents_are_bots_too(con):
    raw = Raw(con).project(bots=["Custom-Helper"], ai_agents=["my-agent"])
    raw.issue(1, "human", "2026-07-01")
    for login in ["renovate-bot", "k8s-ci-robot", "some-robot", "dependabot[bot]", "CUSTOM-HELPER", "Copilot",
                  "claude[bot]", "My-Agent", "netlify"]:  # fmt: skip
        raw.comment(1, login, "2026-07-02")
    raw.comment(1, "typed-account", "2026-07-02", author_type="Bot")
    build(con)
    assert _classes(con) == {
        "human": ("external", False),
        "renovate-bot": ("bot", False),
        "k8s-ci-robot": ("bot", False),
        "some-robot": ("bot", False),
        "dependabot[bot]": ("bot", False),
        "CUSTOM-HELPER": ("bot", False),
        "netlify": ("bot", False),
        "typed-account": ("bot", False),
        "Copilot": ("bot", True),  # shipped `copilot`, compared case-insensitively
        "claude[bot]": ("bot", True),  # shipped `claude` plus GitHub's app suffix
        "My-Agent": ("bot", True),  # registry ai_agents
    }


def test_a_bot_named_in_a_maintainer_file_is_still_a_bot_and_never_core(con):
    raw = Raw(con).project()
    raw.maintainer_file("OWNERS", "s1", "2025-01-01", "approvers: [k8s-ci-robot]", is_head=True)
    raw.comment(1, "k8s-ci-robot", "2026-07-01", assoc="MEMBER")
    build(con)
    assert one(con, "SELECT class, core_reason FROM contributors") == ("bot", None)
    assert one(con, "SELECT actor_class, actor_class_at_time FROM contributions") == ("bot", "bot")


def test_core_reasons_name_every_rule_and_file_in_a_stable_order(con):
    raw = Raw(con).project(core=["Rita"])
    raw.maintainer_file(
        "OWNERS", "s1", "2025-01-01", "approvers: [alice, sig-leads]\nreviewers: [rita]", is_head=True
    )
    raw.maintainer_file("OWNERS_ALIASES", "s1", "2025-01-01", "aliases:\n  sig-leads: [bob]\n", is_head=True)
    raw.maintainer_file("MAINTAINERS.md", "s1", "2025-01-01", "* @Alice\nEmeritus:\n* @erin\n", is_head=True)
    raw.maintainer_file("CODEOWNERS", "s1", "2025-01-01", "* @carol @org/team\n", is_head=True)
    raw.issue(1, "alice", "2026-07-01")
    for login, assoc in [("bob", "NONE"), ("carol", "NONE"), ("erin", "NONE"), ("owen", "OWNER"),
                         ("rita", "COLLABORATOR"), ("rita", "OWNER"), ("mia", "MEMBER"), ("zed", "CONTRIBUTOR")]:  # fmt: skip
        raw.comment(1, login, "2026-07-02", assoc=assoc)
    build(con)
    reasons = dict(rows(con, "SELECT login, coalesce(core_reason, class) FROM contributors"))
    assert reasons == {
        "alice": "maintainer_file:MAINTAINERS.md (maintainer); maintainer_file:OWNERS (approver)",
        "bob": "maintainer_file:OWNERS (approver)",  # through the OWNERS_ALIASES alias
        "carol": "maintainer_file:CODEOWNERS (codeowner)",
        "erin": "external",  # emeritus is not core
        "owen": "author_association:OWNER",
        "rita": "maintainer_file:OWNERS (reviewer); author_association:OWNER; author_association:COLLABORATOR; "
        "registry:core",
        "mia": "external",  # MEMBER counts only where org_members_are_core
        "zed": "external",
    }


def test_org_members_are_core_only_in_projects_that_say_so(con):
    single = Raw(con, project="single-org", repo="org/a").project(org_members_are_core=True)
    single.comment(1, "mia", "2026-07-01", assoc="MEMBER")
    shared = Raw(con, project="shared-org", repo="org/b", first_id=5000).project()
    shared.comment(1, "mia", "2026-07-01", assoc="MEMBER")
    build(con)
    assert rows(con, "SELECT project, class, core_reason FROM contributors ORDER BY project") == [
        ("shared-org", "external", None),
        ("single-org", "core", "author_association:MEMBER (org members are core)"),
    ]


def test_logins_compare_case_insensitively_and_keep_their_latest_spelling(con):
    raw = Raw(con).project(core=[])
    raw.maintainer_file("OWNERS", "s1", "2025-01-01", "approvers: [ALICE]", is_head=True)
    raw.issue(1, "Alice", "2026-06-01")
    raw.comment(1, "alice", "2026-07-01")
    build(con)
    assert one(con, "SELECT login, class, contributions FROM contributors") == ("alice", "core", 2)
    assert rows(con, "SELECT DISTINCT actor_login, actor_class_at_time FROM contributions") == [
        ("alice", "core")
    ]


def test_class_at_the_time_follows_the_maintainer_file_history(con):
    raw = Raw(con).project(core=["rex"])
    raw.maintainer_file("MAINTAINERS.md", "v1", "2026-01-01", "* @alice")
    raw.maintainer_file("MAINTAINERS.md", "v2", "2026-03-01", "* @alice\n* @bob")
    raw.maintainer_file("MAINTAINERS.md", "v3", "2026-05-01", "* @bob\n## Emeritus\n* @alice", is_head=True)
    raw.issue(1, "someone", "2025-12-01")
    raw.comment(1, "bob", "2026-02-01")  # before bob was added
    raw.comment(1, "bob", "2026-03-01")  # the instant v2 was committed: valid_from is inclusive
    raw.commit("c1", "bob", "2026-02-15")
    raw.commit("c2", "bob", "2026-03-02")
    raw.comment(1, "alice", "2026-04-01")  # a maintainer then
    raw.comment(1, "alice", "2026-06-01")  # emeritus by now
    raw.comment(1, "carol", "2026-02-01", assoc="COLLABORATOR")  # the item itself says collaborator
    raw.comment(1, "carol", "2026-02-02")
    raw.comment(1, "rex", "2025-12-02")  # registry core is core at any time
    raw.comment(1, "renovate[bot]", "2026-04-01")
    build(con)
    got = rows(
        con,
        "SELECT actor_login, kind, occurred_at::DATE::VARCHAR, actor_class, actor_class_at_time FROM contributions "
        "WHERE actor_login <> 'someone' ORDER BY actor_login, occurred_at",
    )
    assert got == [
        ("alice", "comment", "2026-04-01", "external", "core"),
        ("alice", "comment", "2026-06-01", "external", "external"),
        ("bob", "comment", "2026-02-01", "core", "external"),
        ("bob", "commit", "2026-02-15", "core", "external"),
        ("bob", "comment", "2026-03-01", "core", "core"),
        ("bob", "commit", "2026-03-02", "core", "core"),
        ("carol", "comment", "2026-02-01", "core", "core"),
        ("carol", "comment", "2026-02-02", "core", "external"),
        ("renovate[bot]", "comment", "2026-04-01", "bot", "bot"),
        ("rex", "comment", "2025-12-02", "core", "core"),
    ]


def test_each_kind_of_contribution_has_its_ref_merge_commits_count_and_events_from_as_of_on_are_left_out(con):
    raw = Raw(con).project()
    raw.issue(1, "ann", "2026-07-01")
    raw.pr(2, "ann", "2026-07-02", merged="2026-07-03")
    raw.comment(1, "ben", "2026-07-04")
    raw.review(2, "ben", "2026-07-05")
    raw.commit("abc123", "ann", "2026-07-06")
    raw.commit("fff000", None, "2026-07-07", name="Jane Doe", domain="gmail.com")  # no linked account
    raw.commit("merge1", "ben", "2026-07-08", parents=2)  # a merge commit: a commit on the default branch
    raw.commit("merge2", "k8s-ci-robot", "2026-07-09", parents=2, author_type="Bot")  # a bot's: bot class
    raw.issue(3, "ann", "2026-08-01")  # exactly at as_of
    raw.comment(1, "ben", "2026-08-02")
    build(con)
    assert rows(con, "SELECT kind, ref, actor_login, number FROM contributions ORDER BY occurred_at") == [
        ("issue_opened", "org/repo#1", "ann", 1),
        ("pr_opened", "org/repo#2", "ann", 2),
        ("comment", "org/repo#1/comment/1002", "ben", 1),
        ("review", "org/repo#2/review/1003", "ben", 2),
        ("commit", "org/repo@abc123", "ann", None),
        ("commit", "org/repo@fff000", "name:jane doe", None),
        ("commit", "org/repo@merge1", "ben", None),
        ("commit", "org/repo@merge2", "k8s-ci-robot", None),
    ]
    assert rows(con, "SELECT actor_class FROM contributions WHERE ref LIKE '%merge%' ORDER BY ref") == [
        ("external",),
        ("bot",),
    ]


def test_contributor_organisation_is_the_most_frequent_non_independent_one(con):
    raw = Raw(con).project(domain_orgs={"globex.com": "Globex", "Globex.co.uk": "Globex"})
    for i, domain in enumerate(
        ["acme.com", "acme.com", "gmail.com", "gmail.com", "gmail.com", "initech.com"]
    ):
        raw.commit(f"d{i}", "dana", "2026-07-01", domain=domain)
    raw.commit("e1", "ed", "2026-07-01", domain="users.noreply.github.com")
    raw.comment(1, "fay", "2026-07-01")
    for i, domain in enumerate(["globex.com", "globex.co.uk", "initech.com"]):
        raw.commit(f"g{i}", "gus", "2026-07-01", domain=domain)
    raw.commit("h1", "hal", "2026-07-01", domain="beta.com")
    raw.commit("h2", "hal", "2026-07-01", domain="acme.com")
    raw.commit("i1", "ivy", "2026-07-01", domain=None)
    build(con)
    assert dict(rows(con, "SELECT login, organisation FROM contributors")) == {
        "dana": "acme.com",  # 2 acme beat 1 initech; the 3 gmail are independent and set aside
        "ed": "independent",
        "fay": None,  # no commits
        "gus": "Globex",  # two domains mapped to one organisation by the registry
        "hal": "acme.com",  # a tie goes to the alphabetically first
        "ivy": None,  # only an unknown domain
    }


def test_contributors_count_each_kind_and_span_first_to_last_contribution(con):
    raw = Raw(con).project()
    raw.issue(1, "ann", "2026-01-01")
    raw.pr(2, "ann", "2026-02-01")
    raw.review(2, "ann", "2026-03-01")
    raw.comment(1, "ann", "2026-04-01")
    raw.commit("a1", "ann", "2026-05-01")
    build(con)
    got = one(con, "SELECT first_contribution_at::DATE::VARCHAR, last_contribution_at::DATE::VARCHAR, contributions, "
                   "issues_opened, prs_opened, reviews, comments, commits FROM contributors")  # fmt: skip
    assert got == ("2026-01-01", "2026-05-01", 5, 1, 1, 1, 1, 1)
