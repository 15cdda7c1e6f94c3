"""Equality of the DuckDB and PostgreSQL builds on a sample of keys: a faster wrong answer does not count."""

from __future__ import annotations

import datetime as dt
import math

import duckdb

FLOAT_TOLERANCE = 1e-9
MODELS = (
    "projects", "contributions", "contributors", "weekly_activity", "project_metrics", "maintainer_roles",
    "stg_events", "stg_core_reasons", "stg_accounts", "stg_items", "stg_commits",
)  # fmt: skip


def sample_projects(con: duckdb.DuckDBPyConnection, n: int = 20) -> list[str]:
    """n projects spread evenly over the size ranking (the largest and the smallest included)."""
    ranked = [
        r[0]
        for r in con.execute(
            "SELECT project FROM project_metrics WHERE window_days = 365 ORDER BY contributions DESC, project"
        ).fetchall()
    ]
    if len(ranked) <= n:
        return ranked
    return sorted({ranked[round(i * (len(ranked) - 1) / (n - 1))] for i in range(n)})


def duck_rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    result = con.execute(sql, params or [])
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _same(expected, text: str | None) -> bool:
    """A DuckDB value against PostgreSQL's text for it (psql --csv)."""
    if expected is None or text is None:
        return expected is None and text is None
    if isinstance(expected, bool):
        return text in ("t", "true") if expected else text in ("f", "false")
    if isinstance(expected, int):
        return int(text) == expected
    if isinstance(expected, float):
        actual = float(text)
        if math.isnan(expected) or math.isnan(actual):
            return math.isnan(expected) and math.isnan(actual)
        return math.isclose(expected, actual, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    if isinstance(expected, dt.datetime):
        return dt.datetime.fromisoformat(text) == expected
    if isinstance(expected, dt.date):
        return dt.date.fromisoformat(text) == expected
    if isinstance(expected, list):
        return (
            text == "{" + ",".join(expected) + "}" or text == "{" + ",".join(f'"{x}"' for x in expected) + "}"
        )
    return str(expected) == text


def differences(duck: list[dict], pg: list[dict], key: tuple[str, ...], label: str) -> list[str]:
    """Every key missing on one side and every column whose values differ, as readable lines."""
    out = []
    pg_by_key = {tuple(r[k] for k in key): r for r in pg}
    seen = set()
    for row in duck:
        k = tuple(str(row[c]) if not isinstance(row[c], str) else row[c] for c in key)
        other = pg_by_key.get(k)
        if other is None:
            out.append(f"{label} {k}: missing in PostgreSQL")
            continue
        seen.add(k)
        for column, value in row.items():
            if column not in other:
                out.append(f"{label} {k}: column {column} missing in PostgreSQL")
            elif not _same(value, other[column]):
                out.append(f"{label} {k}.{column}: DuckDB {value!r} != PostgreSQL {other[column]!r}")
    out += [f"{label} {k}: only in PostgreSQL" for k in pg_by_key if k not in seen]
    return out


def compare(
    con: duckdb.DuckDBPyConnection, pg, schema: str = "build", projects: list[str] | None = None
) -> dict:
    """project_metrics of the sample (every column), contributors and weekly_activity of its three smallest
    projects (every column), and the row count of every model."""
    projects = projects or sample_projects(con)
    small = projects[-3:] if len(projects) > 3 else projects
    quoted = ", ".join("'" + p.replace("'", "''") + "'" for p in projects)
    checks = [
        ("project_metrics", ("project", "window_days"), f"project IN ({quoted})"),
        ("contributors", ("project", "login"), "project IN (" + ", ".join(f"'{p}'" for p in small) + ")"),
        ("weekly_activity", ("project", "week"), "project IN (" + ", ".join(f"'{p}'" for p in small) + ")"),
    ]
    problems, compared = [], 0
    for view, key, where in checks:
        order = ", ".join(key)
        duck = duck_rows(con, f"SELECT * FROM {view} WHERE {where} ORDER BY {order}")
        other = pg.query(f"SELECT * FROM {view} WHERE {where} ORDER BY {order}", schema=schema)
        compared += len(duck) * (len(duck[0]) if duck else 0)
        problems += differences(duck, other, key, view)
    for model in MODELS:
        n_duck = con.execute(f"SELECT count(*) FROM {model}").fetchone()[0]
        n_pg = int(pg.query(f"SELECT count(*) AS n FROM {model}", schema=schema)[0]["n"])
        if n_duck != n_pg:
            problems.append(f"{model}: {n_duck} rows in DuckDB, {n_pg} in PostgreSQL")
    return {"projects": projects, "values_compared": compared, "problems": problems, "equal": not problems}
