"""Hand-made raw rows of two projects (alpha with a maintainer file, beta with one issue) for asset tests."""

import duckdb

from tests.metrics.rawrows import Raw

REGISTRY = """projects:
  - {slug: alpha, name: Alpha, repos: [org/alpha]}
  - {slug: beta, name: Beta, repos: [org/beta]}
"""


def fill(con: duckdb.DuckDBPyConnection) -> None:
    alpha = Raw(con, project="alpha", repo="org/alpha").project(name="Alpha")
    alpha.maintainer_file("OWNERS", "s1", "2025-01-01", "approvers: [ann]", is_head=True)
    alpha.issue(1, "zoe", "2026-07-05")
    alpha.pr(2, "ann", "2026-07-02", merged="2026-07-03")
    alpha.comment(1, "ann", "2026-07-05T05:00")
    alpha.commit("a1", "ann", "2026-07-03", domain="acme.com")
    alpha.commit("a2", "dependabot[bot]", "2026-07-04", author_type="Bot")
    beta = Raw(con, project="beta", repo="org/beta", first_id=5000).project(name="Beta")
    beta.issue(1, "bob", "2026-05-20")
