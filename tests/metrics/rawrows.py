"""Hand-made raw GitHub rows for metric tests: each call inserts one row a reader can see in the test."""

import datetime as dt
import itertools

import duckdb

from metrics import db
from metrics.build import build_metrics
from pipelines.config import Project

AS_OF = dt.date(2026, 8, 1)
REPO = "org/repo"
FETCHED = dt.datetime(2026, 8, 1, 6, 0)


def ts(text: str) -> dt.datetime:
    """'2026-07-02' or '2026-07-02T06:00' -> a naive UTC datetime."""
    return dt.datetime.fromisoformat(text)


class Raw:
    """Writes raw_* rows for one project (slug `p`, repo `org/repo` unless told otherwise)."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, project: str = "p", repo: str = REPO, first_id: int = 1000
    ):
        self.con, self.slug, self.repo = con, project, repo
        self._ids = itertools.count(first_id)  # GitHub ids are global: give a second project another range
        db.ensure_raw_schema(con)

    def project(
        self, *, org_members_are_core=False, core=(), bots=(), ai_agents=(), domain_orgs=None, name="P"
    ):
        domain_orgs = domain_orgs or {}
        self.con.execute(
            "INSERT INTO raw_projects VALUES ($p, $name, [$repo], [], [], $org, $core, $bots, $agents, 'sandbox', "
            "[], MAP(CAST($k AS VARCHAR[]), CAST($v AS VARCHAR[])))",
            {"p": self.slug, "name": name, "repo": self.repo, "org": org_members_are_core, "core": list(core),
             "bots": list(bots), "agents": list(ai_agents), "k": list(domain_orgs), "v": list(domain_orgs.values())},
        ).fetchall()  # fmt: skip
        return self

    def issue(
        self, number, author, created, *, pr=False, author_type="User", assoc="NONE", merged=None, closed=None
    ):
        closed = closed or merged
        self.con.execute(
            "INSERT INTO raw_issues VALUES ($id, $p, $repo, $n, $pr, $a, $t, $assoc, $state, NULL, $c, $c, $closed, "
            "$merged, [], 0, $f)",
            {"id": next(self._ids), "p": self.slug, "repo": self.repo, "n": number, "pr": pr, "a": author,
             "t": author_type, "assoc": assoc, "state": "closed" if closed else "open", "c": ts(created),
             "closed": ts(closed) if closed else None, "merged": ts(merged) if merged else None, "f": FETCHED},
        ).fetchall()  # fmt: skip

    def pr(self, number, author, created, **kw):
        self.issue(number, author, created, pr=True, **kw)

    def comment(self, number, author, created, *, author_type="User", assoc="NONE"):
        self.con.execute(
            "INSERT INTO raw_comments VALUES ($id, $p, $repo, $n, $a, $t, $assoc, $c, $c, $f)",
            {"id": next(self._ids), "p": self.slug, "repo": self.repo, "n": number, "a": author, "t": author_type,
             "assoc": assoc, "c": ts(created), "f": FETCHED},
        ).fetchall()  # fmt: skip

    def review(self, number, author, submitted, *, author_type="User", assoc="NONE"):
        self.con.execute(
            "INSERT INTO raw_reviews VALUES ($id, $p, $repo, $n, $a, $t, $assoc, 'COMMENTED', $s, $f)",
            {"id": next(self._ids), "p": self.slug, "repo": self.repo, "n": number, "a": author, "t": author_type,
             "assoc": assoc, "s": ts(submitted), "f": FETCHED},
        ).fetchall()  # fmt: skip

    def commit(self, sha, login, authored, *, domain="example.com", name=None, author_type="User", parents=1):
        self.con.execute(
            "INSERT INTO raw_commits VALUES ($repo, $sha, $p, $login, $t, $name, $domain, $at, NULL, $at, $parents, $f)",
            {"repo": self.repo, "sha": sha, "p": self.slug, "login": login, "t": author_type if login else None,
             "name": name or login, "domain": domain, "at": ts(authored), "parents": parents, "f": FETCHED},
        ).fetchall()  # fmt: skip

    def maintainer_file(self, path, sha, committed, content, *, is_head=False, deleted=False):
        self.con.execute(
            "INSERT INTO raw_maintainer_files VALUES ($repo, $path, $sha, $p, $at, $head, $deleted, $content, $f)",
            {"repo": self.repo, "path": path, "sha": sha, "p": self.slug, "at": ts(committed), "head": is_head,
             "deleted": deleted, "content": None if deleted else content, "f": FETCHED},
        ).fetchall()  # fmt: skip


def build(con: duckdb.DuckDBPyConnection, as_of: dt.date = AS_OF) -> dict[str, int]:
    """build_metrics for every project in raw_projects."""
    slugs = [r[0] for r in con.execute("SELECT project FROM raw_projects ORDER BY 1").fetchall()]
    return build_metrics(con, as_of, "replay", [Project(slug=s, name=s, repos=(REPO,)) for s in slugs])


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[tuple]:
    return con.execute(sql, params or {}).fetchall()


def one(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None):
    result = rows(con, sql, params)
    assert len(result) == 1, f"expected one row from {sql!r}, got {result}"
    return result[0] if len(result[0]) > 1 else result[0][0]
