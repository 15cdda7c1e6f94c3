"""Scale data: GitHub-shaped raw_* rows for N projects with realistic skew, deterministic from a seed.

Shape (each choice is there because real CNCF projects look like this):
- project sizes follow a power law (rank^-1.15): a few very large projects, a long tail; large projects are
  older, and every project's activity grows over its life (more recent weeks are busier);
- contributors per project ~ 2·C^0.6 for C contributions, each kind drawn from a Zipf law over that pool
  (reviews most concentrated on the top ranks, issues least); ~10% of the tail are people shared between
  projects (one login, several projects);
- bots: CI and triage robots (`k8s-ci-robot`, `<slug>-bot`, a registry `bots` extra), GitHub Apps
  (`dependabot[bot]`, `renovate[bot]`, …, typed Bot) and AI agents (`coderabbitai[bot]`, `Copilot`,
  `copilot-swe-agent[bot]`, `claude`, a registry `ai_agents` extra), AI agents only since 2024-09;
- core teams: OWNERS (+ OWNERS_ALIASES for half of the Kubernetes-style projects) or MAINTAINERS.md +
  CODEOWNERS, with a version history in which the team grows and some members turn emeritus;
  author_association MEMBER/COLLABORATOR/OWNER for them, a few MEMBERs who are in no file;
- commit e-mail domains: corporate (Zipf over ~30 companies, IBM on three sub-domains that a registry
  `domain_orgs` map joins), free mail (gmail, qq, 163, …) and GitHub noreply; some commits linked to no
  account (counted by author name), ~8% merge commits, a few deleted (`ghost`) authors;
- a few days of activity after as_of (the crawl ran later), which every metric must leave out.

Arrays are drawn with numpy (one generator per project, spawned from the seed, so a project's rows do not
depend on the others), strings are built by DuckDB in the INSERT … SELECT that writes each raw table.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from metrics import db

AS_OF = dt.date(2026, 8, 1)
CRAWLED = dt.datetime(2026, 8, 20)  # the crawl ran after as_of: its last days lie past every window
AI_SINCE = dt.datetime(2024, 9, 1)
DAY = 86_400
YEAR = 365 * DAY
FETCHED = CRAWLED + dt.timedelta(hours=6)


@dataclasses.dataclass(frozen=True)
class Scale:
    name: str
    projects: int
    contributions: int  # contribution rows (bots included), approximately


SCALES = {
    "tiny": Scale("tiny", 6, 20_000),
    "small": Scale("small", 40, 200_000),
    "large": Scale("large", 200, 10_000_000),
}

# Kinds of contribution as shares of a project's rows (real large projects: comments dominate).
KIND_SHARES = {"issues": 0.06, "prs": 0.11, "reviews": 0.17, "comments": 0.52, "commits": 0.14}
MERGE_SHARE = 0.08  # merge commits on top of the contributing ones (left out of contributions)
# Zipf exponents over the contributor pool, per kind: reviews sit with the top ranks, issues spread wide.
ZIPF = {"issues": 0.85, "prs": 1.1, "reviews": 1.4, "comments": 1.05, "commits": 1.15}
BOT_SHARE = {"issues": 0.03, "prs": 0.10, "reviews": 0.08, "comments": 0.20, "commits": 0.05}
SHARED_TAIL = 0.10  # share of tail contributors who are one person across several projects

FIRST = (
    "Ada", "Alan", "Ana", "Ben", "Bo", "Carla", "Chen", "Dan", "Dara", "Eli", "Emma", "Fei", "Gus", "Hana",
    "Hao", "Ivan", "Iris", "Jae", "Jia", "Jon", "Kai", "Kim", "Lea", "Lei", "Li", "Lin", "Luca", "Maya",
    "Mei", "Mia", "Nia", "Nico", "Noor", "Omar", "Pia", "Qi", "Raj", "Ray", "Rin", "Sam", "Sara", "Shu",
    "Tao", "Tom", "Uma", "Vic", "Wei", "Xin", "Yan", "Yu", "Yuki", "Zoe", "Zhi", "Ravi", "Ola", "Ines", "Ken",
    "Ming", "Paul",
)  # fmt: skip
LAST = (
    "Abe", "Bauer", "Chen", "Costa", "Das", "Diaz", "Evans", "Fang", "Garcia", "Gupta", "Hahn", "Ito", "Jain",
    "Kato", "Kim", "Klein", "Kumar", "Lee", "Li", "Liu", "Lopez", "Ma", "Meyer", "Mori", "Nair", "Ng",
    "Novak", "Ota", "Park", "Patel", "Quinn", "Rao", "Reyes", "Rossi", "Sato", "Shah", "Silva", "Singh",
    "Song", "Sun", "Tan", "Tanaka", "Wang", "Weber", "Wu", "Xu", "Yang", "Ye", "Yu", "Zhang", "Zhao", "Zhou",
    "Zhu", "Berg", "Dubois", "Moreau", "Olsen", "Popov",
)  # fmt: skip
COMPANIES = (
    "google.com", "redhat.com", "huawei.com", "nvidia.com", "microsoft.com", "ibm.com", "intel.com",
    "amazon.com", "alibaba-inc.com", "bytedance.com", "vmware.com", "suse.com", "daocloud.io", "epam.com",
    "cisco.com", "apple.com", "oracle.com", "tencent.com", "baidu.com", "jd.com", "uber.com", "sap.com",
    "samsung.com", "cn.ibm.com", "us.ibm.com", "amd.com", "kuaishou.com", "broadcom.com", "isovalent.com",
    "d2iq.com",
)  # fmt: skip
FREE_MAIL = (
    "gmail.com", "qq.com", "163.com", "outlook.com", "hotmail.com", "126.com", "foxmail.com", "yahoo.com",
    "icloud.com",
)  # fmt: skip
NOREPLY = "users.noreply.github.com"
# A registry map for some projects: IBM's sub-domains are one organisation (exercises domain_orgs).
DOMAIN_ORGS = {"ibm.com": "IBM", "cn.ibm.com": "IBM", "us.ibm.com": "IBM", "redhat.com": "IBM"}
ASSOCIATIONS = ["NONE", "CONTRIBUTOR", "MEMBER", "COLLABORATOR", "OWNER", "FIRST_TIME_CONTRIBUTOR"]
NONE, CONTRIBUTOR, MEMBER, COLLABORATOR, OWNER, FIRST_TIMER = range(6)
LABEL_SETS = [
    [], ["kind/bug"], ["kind/feature"], ["kind/bug", "priority/important-soon"], ["kind/documentation"],
    ["lgtm", "approved", "size/S"], ["size/M", "ok-to-test"], ["needs-triage"],
]  # fmt: skip
REVIEW_STATES = ["APPROVED", "COMMENTED", "CHANGES_REQUESTED", "DISMISSED"]
WORDS = (
    "atlas", "borealis", "cinder", "dynamo", "ember", "fjord", "gale", "harbor", "ion", "juniper", "kestrel",
    "lumen", "meridian", "nimbus", "orbit", "prism", "quasar", "ridge", "sable", "tundra", "umbra", "vertex",
    "willow", "xenon", "yarrow", "zephyr",
)  # fmt: skip
REPO_SUFFIXES = ("operator", "charts", "api", "website", "docs")

# Bots: (login, GitHub type, is AI agent, share by kind). `@` stands for the project slug.
BOTS = [
    ("k8s-ci-robot", "User", False, {"comments": 0.30, "issues": 0.1}),
    ("k8s-triage-robot", "User", False, {"comments": 0.08, "issues": 0.3}),
    ("dependabot[bot]", "Bot", False, {"prs": 0.40, "commits": 0.45}),
    ("renovate[bot]", "Bot", False, {"prs": 0.15, "commits": 0.10}),
    ("github-actions[bot]", "Bot", False, {"prs": 0.05, "commits": 0.15, "comments": 0.07, "issues": 0.3}),
    ("codecov[bot]", "Bot", False, {"comments": 0.10}),
    ("netlify[bot]", "Bot", False, {"comments": 0.05}),
    ("@-bot", "User", False, {"comments": 0.10, "issues": 0.3, "prs": 0.05}),
    ("@-ci", "User", False, {"comments": 0.06}),  # not bot-shaped: the registry's `bots` names it
    ("coderabbitai[bot]", "Bot", True, {"reviews": 0.40, "comments": 0.12}),
    ("gemini-code-assist[bot]", "Bot", True, {"reviews": 0.25, "comments": 0.06}),
    ("Copilot", "Bot", True, {"reviews": 0.25, "comments": 0.06}),
    ("copilot-swe-agent[bot]", "Bot", True, {"prs": 0.20, "commits": 0.15}),
    ("claude", "User", True, {"commits": 0.05, "prs": 0.05}),
    ("@-assistant", "User", True, {"reviews": 0.10}),  # the registry's `ai_agents` names it
]
BOT_BASE = 2_000_000_000  # person ids: bots from here, project-local people from LOCAL_BASE, shared below
LOCAL_BASE = 1_000_000
GHOST = 0  # a deleted account: GitHub shows no user (author_login NULL)


def _hash(x: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64 of x ^ salt: stable per-person attributes without storing them."""
    z = (x.astype(np.uint64) ^ np.uint64(salt)) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _zipf(rng: np.random.Generator, n: int, s: float, size: int) -> np.ndarray:
    cdf = np.cumsum(np.arange(1, n + 1, dtype=np.float64) ** -s)
    return np.minimum(np.searchsorted(cdf / cdf[-1], rng.random(size), side="right"), n - 1)


def _weighted(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    cdf = np.cumsum(weights)
    return np.minimum(np.searchsorted(cdf / cdf[-1], rng.random(size), side="right"), len(weights) - 1)


def _epoch(t: dt.datetime) -> int:
    return int(t.replace(tzinfo=dt.UTC).timestamp())


@dataclasses.dataclass
class _Project:
    index: int
    slug: str
    org: str
    repos: list[str]
    repo_ids: list[int]  # global repo index of each
    size: int
    start: int  # epoch seconds of the first activity
    pool: int  # contributor pool size
    base: int  # first person id of the pool
    core: np.ndarray  # person ids of everyone who was ever core, in the order they joined
    org_members_are_core: bool
    style: str  # owners | owners_aliases | markdown
    bots: list[int]  # person ids of this project's bots (indexes into the bot table)
    has_assistant: bool


class _Bots:
    """The bot accounts of all projects: global ones once, `@-…` ones per project."""

    def __init__(self) -> None:
        self.logins: list[str] = []
        self.types: list[str] = []
        self.ai: list[bool] = []
        self._ids: dict[str, int] = {}

    def id(self, login: str, kind: str, ai: bool) -> int:
        if login not in self._ids:
            self._ids[login] = BOT_BASE + len(self.logins)
            self.logins.append(login)
            self.types.append(kind)
            self.ai.append(ai)
        return self._ids[login]


def _bot_choice(
    rng: np.random.Generator, project: _Project, bots: _Bots, kind: str, times: np.ndarray
) -> np.ndarray:
    """Bot person ids for events of `kind` at `times`; AI agents only act after AI_SINCE."""
    ids, weights, ai = [], [], []
    for login, gh_type, is_ai, shares in BOTS:
        if kind not in shares or (login == "@-assistant" and not project.has_assistant):
            continue
        ids.append(bots.id(login.replace("@", project.slug), gh_type, is_ai))
        weights.append(shares[kind])
        ai.append(is_ai)
    ids_a, ai_a = np.array(ids, dtype=np.int64), np.array(ai)
    pick = _weighted(rng, np.array(weights), len(times))
    chosen = ids_a[pick]
    early = ai_a[pick] & (times < _epoch(AI_SINCE))
    classic = ids_a[~ai_a] if (~ai_a).any() else np.array([bots.id(f"{project.slug}-bot", "User", False)])
    chosen[early] = classic[rng.integers(0, len(classic), int(early.sum()))]
    return chosen


def _actors(
    rng: np.random.Generator, project: _Project, bots: _Bots, kind: str, times: np.ndarray
) -> np.ndarray:
    """Person ids for events of `kind`: Zipf over the pool, some tail ranks shared people, some bots."""
    n = len(times)
    ranks = _zipf(rng, project.pool, ZIPF[kind], n)
    ids = project.base + ranks
    # a tail rank is the same shared person in every event of this project (decided by the rank's hash)
    tail = (ranks >= 2 * len(project.core)) & (
        _hash(ids, 17) % np.uint64(1000) < np.uint64(int(SHARED_TAIL * 1000))
    )
    ids[tail] = 1 + (_hash(ids[tail], 29) % np.uint64(max(200, LOCAL_BASE // 500))).astype(np.int64)
    is_bot = rng.random(n) < BOT_SHARE[kind]
    ids[is_bot] = _bot_choice(rng, project, bots, kind, times[is_bot])
    return ids


def _association(project: _Project, ids: np.ndarray) -> np.ndarray:
    """GitHub's author_association per event, from who the author is (stable per person and project)."""
    h = _hash(ids, 41 + project.index) % np.uint64(100)
    out = np.where(h < 55, CONTRIBUTOR, NONE).astype(np.int8)
    out[h >= 97] = MEMBER  # org members who are in no maintainer file
    out[(h >= 90) & (h < 92)] = FIRST_TIMER
    core = np.isin(ids, project.core)
    out[core] = np.where(h[core] < 75, MEMBER, np.where(h[core] < 95, COLLABORATOR, OWNER))
    out[ids >= BOT_BASE] = NONE
    return out


def _times(rng: np.random.Generator, project: _Project, n: int) -> np.ndarray:
    """Activity grows over a project's life: density ~ t^0.6 from its first day to the crawl."""
    span = _epoch(CRAWLED) - project.start
    return project.start + (span * rng.random(n) ** (1 / 1.6)).astype(np.int64)


def _delays(rng: np.random.Generator, n: int, median_h: float, sigma: float) -> np.ndarray:
    return (rng.lognormal(np.log(median_h * 3600), sigma, n)).astype(np.int64) + 60


def _project_rows(
    project: _Project, rng: np.random.Generator, bots: _Bots
) -> dict[str, dict[str, np.ndarray]]:
    """Numeric columns of every raw table for one project."""
    end = _epoch(CRAWLED)
    shares = {k: v * rng.lognormal(0, 0.15) for k, v in KIND_SHARES.items()}
    total = sum(shares.values())
    n = {k: max(1, round(project.size * v / total)) for k, v in shares.items()}
    repo_w = np.array([0.7] + [0.3 / max(1, len(project.repos) - 1)] * (len(project.repos) - 1))

    # issues and PRs
    n_items = n["issues"] + n["prs"]
    created = np.sort(_times(rng, project, n_items))
    is_pr = rng.random(n_items) < n["prs"] / n_items
    kind_times = created
    author = np.where(
        is_pr,
        _actors(rng, project, bots, "prs", kind_times),
        _actors(rng, project, bots, "issues", kind_times),
    )
    author[rng.random(n_items) < 0.003] = GHOST
    repo = project.repo_ids[0] + _weighted(rng, repo_w, n_items)
    outcome = rng.random(n_items)
    merged = np.where(is_pr & (outcome < 0.62), created + _delays(rng, n_items, 20, 1.8), -1)
    closed = np.where(
        merged >= 0, merged,
        np.where(outcome < np.where(is_pr, 0.82, 0.72), created + _delays(rng, n_items, 90, 2.0), -1),
    )  # fmt: skip
    unknown = closed >= end  # closed after the crawl: still open when it ran
    merged[unknown], closed[unknown] = -1, -1
    state_reason = np.where(closed < 0, 0, np.where(is_pr, 0, np.where(rng.random(n_items) < 0.85, 1, 2)))
    # numbers: per repo in order of creation, issues and PRs sharing one sequence as on GitHub
    order = np.lexsort((created, repo))
    number = np.empty(n_items, dtype=np.int32)
    repo_sorted = repo[order]
    first = np.r_[0, np.flatnonzero(np.diff(repo_sorted)) + 1]
    counts = np.diff(np.r_[first, n_items])
    number[order] = np.arange(n_items) - np.repeat(first, counts) + 1
    item_w = rng.lognormal(0, 1.2, n_items)

    # comments: on items, after them; 20% by the item's own author (not a response)
    n_c = n["comments"]
    c_item = _weighted(rng, item_w, n_c)
    c_time = created[c_item] + _delays(rng, n_c, 8, 2.2)
    c_author = _actors(rng, project, bots, "comments", c_time)
    own = rng.random(n_c) < 0.2
    c_author[own] = author[c_item[own]]
    c_author[rng.random(n_c) < 0.002] = GHOST
    keep = c_time < end
    c_item, c_time, c_author = c_item[keep], c_time[keep], c_author[keep]

    # reviews: on PRs, after them, by the top of the pool (and review bots)
    prs = np.flatnonzero(is_pr)
    n_r = n["reviews"]
    r_item = prs[_weighted(rng, item_w[prs], n_r)]
    r_time = created[r_item] + _delays(rng, n_r, 12, 1.9)
    r_author = _actors(rng, project, bots, "reviews", r_time)
    keep = r_time < end
    r_item, r_time, r_author = r_item[keep], r_time[keep], r_author[keep]
    r_state = _weighted(rng, np.array([0.40, 0.44, 0.14, 0.02]), len(r_item))

    # updated_at: the last thing that happened to the item
    updated = np.maximum(created, closed)
    np.maximum.at(updated, c_item, c_time)
    comments_per_item = np.bincount(c_item, minlength=n_items)

    # commits on the default branch: contributing ones, then merge commits by core members
    n_k = n["commits"]
    k_time = _times(rng, project, n_k)
    k_author = _actors(rng, project, bots, "commits", k_time)
    n_m = max(1, round(n_k * MERGE_SHARE))
    m_time = _times(rng, project, n_m)
    m_author = project.core[rng.integers(0, max(1, len(project.core) // 2 + 1), n_m) % len(project.core)]
    k_time, k_author = np.r_[k_time, m_time], np.r_[k_author, m_author]
    parents = np.r_[np.ones(n_k, np.int8), np.full(n_m, 2, np.int8)]
    nk = len(k_time)
    linked = (rng.random(nk) >= 0.06) | (k_author >= BOT_BASE)
    alt_mail = rng.random(nk) < 0.15  # the same person on a personal address now and then
    committed = k_time + np.where(rng.random(nk) < 0.3, _delays(rng, nk, 30, 1.5), 0)
    squash = rng.random(nk) < 0.7
    return {
        "items": {
            "seq": np.arange(n_items, dtype=np.int64), "project": np.full(n_items, project.index, np.int32),
            "repo": repo.astype(np.int32), "number": number, "is_pr": is_pr, "author": author,
            "assoc": _association(project, author), "created": created, "updated": updated,
            "closed": closed, "merged": merged, "state_reason": state_reason.astype(np.int8),
            "labels": rng.integers(0, len(LABEL_SETS), n_items).astype(np.int8),
            "comments": comments_per_item.astype(np.int32),
        },
        "comments": {
            "project": np.full(len(c_item), project.index, np.int32), "repo": repo[c_item].astype(np.int32),
            "number": number[c_item], "author": c_author, "assoc": _association(project, c_author),
            "created": c_time,
        },
        "reviews": {
            "project": np.full(len(r_item), project.index, np.int32), "repo": repo[r_item].astype(np.int32),
            "number": number[r_item], "author": r_author, "assoc": _association(project, r_author),
            "state": r_state.astype(np.int8), "submitted": r_time,
        },
        "commits": {
            "project": np.full(nk, project.index, np.int32),
            "repo": (project.repo_ids[0] + _weighted(rng, repo_w, nk)).astype(np.int32),
            "author": k_author, "linked": linked, "alt_mail": alt_mail, "authored": k_time,
            "committed": committed, "parents": parents, "squash": squash,
        },
    }  # fmt: skip


# -- maintainer files ------------------------------------------------------------------------------
def _owners(approvers, reviewers, emeritus, alias_prefix: str | None) -> str:
    lines = ["# See the OWNERS docs at https://go.k8s.io/owners", ""]
    if alias_prefix:
        lines += [
            "approvers:",
            f"  - {alias_prefix}-approvers",
            "reviewers:",
            f"  - {alias_prefix}-reviewers",
        ]
    else:
        lines += ["approvers:"] + [f"  - {a}" for a in approvers]
        lines += ["reviewers:"] + [f"  - {r}" for r in reviewers]
    if emeritus:
        lines += ["emeritus_approvers:"] + [f"  - {e}" for e in emeritus]
    return "\n".join(lines) + "\n"


def _aliases(prefix: str, approvers, reviewers) -> str:
    lines = ["aliases:", f"  {prefix}-approvers:"] + [f"    - {a}" for a in approvers]
    lines += [f"  {prefix}-reviewers:"] + [f"    - {r}" for r in reviewers]
    return "\n".join(lines) + "\n"


def _maintainers_md(people: list[tuple[str, str]], emeritus: list[str]) -> str:
    lines = ["# Maintainers", "", "| Name | GitHub | Affiliation |", "| --- | --- | --- |"]
    lines += [f"| {name} | @{login} | Example Corp |" for login, name in people]
    if emeritus:
        lines += ["", "## Emeritus maintainers", ""] + [f"- @{e}" for e in emeritus]
    return "\n".join(lines) + "\n"


def _codeowners(logins: list[str]) -> str:
    return "# Code owners\n* " + " ".join(f"@{x}" for x in logins[:6]) + "\n/docs/ @" + logins[-1] + "\n"


def _maintainer_files(
    project: _Project, rng: np.random.Generator, logins: dict[int, str], names
) -> list[tuple]:
    """Versions of the project's maintainer files: the team grows over time, ~15% turn emeritus."""
    core = [int(c) for c in project.core]
    k = len(core)
    versions = int(np.clip(round(3 + 4 * np.log1p(project.size / 20_000)), 3, 40))
    t0, t1 = project.start + 3 * DAY, _epoch(dt.datetime(2026, 7, 20))
    times = np.sort(rng.integers(t0, t1, versions))
    joins = np.sort(rng.integers(0, versions, k))
    joins[: max(1, k // 3)] = 0  # the founding team is in the first version
    leaves = np.where(rng.random(k) < 0.15, rng.integers(1, versions + 1, k), versions + 1)
    leaves = np.maximum(leaves, joins + 1)
    rows = []
    for v, when in enumerate(times):
        active = [c for c, j, lv in zip(core, joins, leaves, strict=True) if j <= v < lv]
        gone = [c for c, j, lv in zip(core, joins, leaves, strict=True) if lv <= v]

        # maintainers write logins as they like: some lower-cased (comparisons are case-insensitive)
        def spell(pid: int) -> str:
            login = logins[pid]
            return login.lower() if _hash(np.array([pid]), 7)[0] % np.uint64(3) == 0 else login

        half = max(1, (len(active) + 1) // 2)
        approvers, reviewers = [spell(c) for c in active[:half]], [spell(c) for c in active[half:]]
        emeritus = [spell(c) for c in gone]
        sha = hashlib.sha1(f"{project.slug}:{v}".encode()).hexdigest()
        head = v == versions - 1
        committed = dt.datetime.fromtimestamp(int(when), dt.UTC).replace(tzinfo=None)
        if project.style == "markdown":
            people = [(spell(c), names[c]) for c in active]
            files = {
                "MAINTAINERS.md": _maintainers_md(people, emeritus),
                "CODEOWNERS": _codeowners(approvers),
            }
        elif project.style == "owners_aliases":
            files = {
                "OWNERS": _owners(approvers, reviewers, emeritus, project.slug),
                "OWNERS_ALIASES": _aliases(project.slug, approvers, reviewers),
            }
        else:
            files = {"OWNERS": _owners(approvers, reviewers, emeritus, None)}
        for path, content in files.items():
            # each file changes at its own commits; a version that changes nothing is still a commit
            rows.append((project.repos[0], path, sha, project.slug, committed, head, False, content, FETCHED))
    return rows


# -- writing --------------------------------------------------------------------------------------
def _frame(parts: list[dict[str, np.ndarray]]) -> pl.DataFrame:
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return pl.DataFrame(cols)


def _people(ids: np.ndarray, bots: _Bots, seed: int) -> tuple[pl.DataFrame, dict[int, str], dict[int, str]]:
    """One row per person id used: login, name, GitHub type and e-mail domain (stable per person)."""
    humans = ids[(ids < BOT_BASE) & (ids != GHOST)]
    h1, h2, h3, h4 = (_hash(humans, seed * 100 + s) for s in (1, 2, 3, 4))
    first = np.array(FIRST)[(h1 % np.uint64(len(FIRST))).astype(np.int64)]
    last = np.array(LAST)[(h2 % np.uint64(len(LAST))).astype(np.int64)]
    login = np.char.add(np.char.add(first, last), humans.astype(str))
    lower = h3 % np.uint64(5) == 0
    login = np.where(lower, np.char.lower(login), login)
    bucket = (h4 % np.uint64(100)).astype(np.int64)
    company = np.array(COMPANIES)[_zipf_index(h4 >> np.uint64(8), len(COMPANIES), 1.0)]
    free = np.array(FREE_MAIL)[_zipf_index(h4 >> np.uint64(16), len(FREE_MAIL), 1.3)]
    domain = np.where(bucket < 42, company, np.where(bucket < 78, free, np.where(bucket < 97, NOREPLY, "")))
    bot_idx = (ids[ids >= BOT_BASE] - BOT_BASE).astype(np.int64)
    frame = pl.DataFrame(
        {
            "pid": np.r_[humans, ids[ids >= BOT_BASE]],
            "login": np.r_[login, np.array(bots.logins, dtype=object)[bot_idx]].astype(str),
            "name": np.r_[np.char.add(np.char.add(first, " "), last), np.array(bots.logins)[bot_idx]].astype(
                str
            ),
            "gh_type": np.r_[np.full(len(humans), "User"), np.array(bots.types)[bot_idx]].astype(str),
            "domain": np.r_[domain, np.full(len(bot_idx), NOREPLY)].astype(str),
        }
    )
    logins = dict(zip(frame["pid"].to_list(), frame["login"].to_list(), strict=True))
    names = dict(zip(frame["pid"].to_list(), frame["name"].to_list(), strict=True))
    return frame, logins, names


def _zipf_index(h: np.ndarray, n: int, s: float) -> np.ndarray:
    cdf = np.cumsum(np.arange(1, n + 1, dtype=np.float64) ** -s)
    u = (h % np.uint64(1 << 20)).astype(np.float64) / (1 << 20)
    return np.minimum(np.searchsorted(cdf / cdf[-1], u, side="right"), n - 1)


def _plan(scale: Scale, seed: int) -> list[_Project]:
    """Projects: power-law sizes, older when larger, 1-5 repositories, a core team each."""
    rng = np.random.default_rng([seed, 0])
    weights = np.arange(1, scale.projects + 1, dtype=np.float64) ** -1.15 * rng.lognormal(
        0, 0.2, scale.projects
    )
    weights = np.sort(weights)[::-1]
    sizes = np.maximum(300, np.round(scale.contributions * weights / weights.sum())).astype(np.int64)
    projects, base, repo_id = [], LOCAL_BASE, 0
    for i, size in enumerate(sizes):
        word = WORDS[i % len(WORDS)] + ("" if i < len(WORDS) else str(i // len(WORDS)))
        single_org = rng.random() < 0.5
        org = f"{word}-project" if single_org else ["kubernetes-sigs", "cncf-sandbox", "nvidia"][i % 3]
        n_repos = int(np.clip(1 + np.floor(np.log10(size / 5_000)), 1, 5))
        repos = [f"{org}/{word}"] + [f"{org}/{word}-{s}" for s in REPO_SUFFIXES[: n_repos - 1]]
        span = (1.5 + 10 * (size / sizes[0]) ** 0.25) * YEAR
        pool = int(2 * size**0.6) + 10
        k = int(np.clip(round(pool**0.5 / 2), 3, 60))
        core = base + rng.choice(min(pool, 2 * k), k, replace=False)
        style = ["owners", "owners_aliases", "markdown"][int(rng.integers(0, 3))]
        projects.append(
            _Project(
                index=i, slug=word, org=org, repos=repos, repo_ids=[repo_id + j for j in range(n_repos)],
                size=int(size), start=_epoch(CRAWLED) - int(span), pool=pool, base=base, core=core.astype(np.int64),
                org_members_are_core=single_org, style=style, bots=[], has_assistant=rng.random() < 0.3,
            )
        )  # fmt: skip
        base += pool
        repo_id += n_repos
    return projects


def generate(con: duckdb.DuckDBPyConnection, scale: Scale | str, seed: int = 0) -> dict[str, int]:
    """Write the raw_* tables for `scale` into `con` (which should hold no raw rows yet); returns row counts."""
    scale = SCALES[scale] if isinstance(scale, str) else scale
    db.ensure_raw_schema(con)
    projects = _plan(scale, seed)
    bots = _Bots()
    children = np.random.SeedSequence(seed).spawn(len(projects))
    parts = [
        _project_rows(p, np.random.default_rng(c), bots) for p, c in zip(projects, children, strict=True)
    ]
    tables = {name: _frame([p[name] for p in parts]) for name in ("items", "comments", "reviews", "commits")}
    used = np.unique(
        np.concatenate([tables[t]["author"].to_numpy() for t in tables] + [p.core for p in projects])
    )
    people, logins, names = _people(used, bots, seed)
    files = []
    for p, c in zip(projects, np.random.SeedSequence([seed, 1]).spawn(len(projects)), strict=True):
        files += _maintainer_files(p, np.random.default_rng(c), logins, names)
    _write(con, projects, tables, people, files, bots, seed)
    return {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("raw_projects", "raw_repos", "raw_issues", "raw_comments", "raw_reviews", "raw_commits",
                  "raw_maintainer_files")
    }  # fmt: skip


def _registry_rows(projects: list[_Project]) -> list[dict]:
    rows = []
    for p in projects:
        files = {"markdown": ["MAINTAINERS.md", "CODEOWNERS"], "owners_aliases": ["OWNERS", "OWNERS_ALIASES"]}
        domain_orgs = DOMAIN_ORGS if p.index % 4 == 0 else {}
        rows.append(
            {
                "project": p.slug, "name": p.slug.capitalize(), "repos": p.repos, "former": [],
                "files": files.get(p.style, ["OWNERS"]), "org": p.org_members_are_core,
                "core": [f"{p.slug}-lead"] if p.index % 5 == 0 else [],
                "bots": [f"{p.slug}-ci"], "agents": [f"{p.slug}-assistant"] if p.has_assistant else [],
                "maturity": ["sandbox", "incubating", "graduated"][p.index % 3], "aliases": [p.slug],
                "k": list(domain_orgs), "v": list(domain_orgs.values()),
            }
        )  # fmt: skip
    return rows


def _write(con, projects, tables, people, files, bots, seed) -> None:
    con.executemany(
        "INSERT INTO raw_projects VALUES ($project, $name, $repos, $former, $files, $org, $core, $bots, $agents, "
        "$maturity, $aliases, MAP(CAST($k AS VARCHAR[]), CAST($v AS VARCHAR[])))",
        _registry_rows(projects),
    )
    repo_rows = [(rid, p.slug, name) for p in projects for rid, name in zip(p.repo_ids, p.repos, strict=True)]
    repos = pl.DataFrame(repo_rows, schema=["rid", "project", "full_name"], orient="row")
    con.register("g_repos", repos)
    con.register("g_people", people)
    for name, frame in tables.items():
        con.register(f"g_{name}", frame)
    ts = "make_timestamp({} * 1000000)"
    assoc = "(" + str(ASSOCIATIONS) + ")[{} + 1]"
    fetched = f"TIMESTAMP '{FETCHED.isoformat(sep=' ')}'"
    statements = [
        f"""INSERT INTO raw_repos
            SELECT 100000000 + rid, project, full_name, CASE WHEN rid % 7 = 3 THEN 'master' ELSE 'main' END,
                   'Organization', {fetched}
            FROM g_repos""",
        f"""INSERT INTO raw_issues
            SELECT 200000000 + row_number() OVER (ORDER BY r.rid, i.number), r.project, r.full_name, i.number,
                   i.is_pr, pe.login, pe.gh_type, {assoc.format("i.assoc")},
                   CASE WHEN i.closed >= 0 THEN 'closed' ELSE 'open' END,
                   [NULL, 'completed', 'not_planned'][i.state_reason + 1],
                   {ts.format("i.created")}, {ts.format("i.updated")},
                   CASE WHEN i.closed >= 0 THEN {ts.format("i.closed")} END,
                   CASE WHEN i.merged >= 0 THEN {ts.format("i.merged")} END,
                   ({LABEL_SETS})[i.labels + 1], i.comments, {fetched}
            FROM g_items AS i JOIN g_repos AS r ON r.rid = i.repo LEFT JOIN g_people AS pe ON pe.pid = i.author""",
        f"""INSERT INTO raw_comments
            SELECT 3000000000 + row_number() OVER (ORDER BY r.rid, c.created, c.number, c.author), r.project,
                   r.full_name, c.number, pe.login, pe.gh_type, {assoc.format("c.assoc")},
                   {ts.format("c.created")}, {ts.format("c.created")}, {fetched}
            FROM g_comments AS c JOIN g_repos AS r ON r.rid = c.repo LEFT JOIN g_people AS pe ON pe.pid = c.author""",
        f"""INSERT INTO raw_reviews
            SELECT 5000000000 + row_number() OVER (ORDER BY r.rid, v.submitted, v.number, v.author), r.project,
                   r.full_name, v.number, pe.login, pe.gh_type, {assoc.format("v.assoc")},
                   ({REVIEW_STATES})[v.state + 1], {ts.format("v.submitted")}, {fetched}
            FROM g_reviews AS v JOIN g_repos AS r ON r.rid = v.repo LEFT JOIN g_people AS pe ON pe.pid = v.author""",
        f"""INSERT INTO raw_commits
            SELECT r.full_name, md5('{seed}:' || k.seq) || left(md5(k.seq || ':{seed}'), 8), r.project,
                   CASE WHEN k.linked THEN pe.login END, CASE WHEN k.linked THEN pe.gh_type END, pe.name,
                   nullif(CASE WHEN k.alt_mail AND pe.gh_type = 'User' THEN 'gmail.com' ELSE pe.domain END, ''),
                   {ts.format("k.authored")},
                   CASE WHEN k.parents > 1 THEN pe.login WHEN k.squash THEN 'web-flow' ELSE pe.login END,
                   {ts.format("k.committed")}, k.parents, {fetched}
            FROM (SELECT *, row_number() OVER (ORDER BY project, authored, author, repo) AS seq FROM g_commits) AS k
            JOIN g_repos AS r ON r.rid = k.repo LEFT JOIN g_people AS pe ON pe.pid = k.author""",
    ]
    for statement in statements:
        con.execute(statement).fetchall()
    con.executemany(
        "INSERT INTO raw_maintainer_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        files,
    )
    for name in ("g_repos", "g_people", *(f"g_{t}" for t in tables)):
        con.unregister(name)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args(argv)
    args.db.unlink(missing_ok=True)
    started = time.perf_counter()
    with duckdb.connect(str(args.db)) as con:
        counts = generate(con, args.scale, args.seed)
    print(f"{args.db}: {counts} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
