"""A small `duckdb` command for the venv: `duckdb data/vitals.duckdb [-readonly] [-c SQL]` (DuckDB 2.0 files).

PyPI has no DuckDB 2.0 CLI; this gives ad-hoc SQL on the Vitals file with the same invocation.
Interactive mode reads statements ending in `;`. It waits briefly if a run holds the file's lock.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

from metrics import db


def run(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    try:
        relation = con.sql(sql)
    except duckdb.Error as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return
    if relation is not None:
        relation.show(max_width=200, max_rows=200)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="duckdb", description=__doc__.splitlines()[0])
    parser.add_argument("database", nargs="?", default="data/vitals.duckdb")
    parser.add_argument("-readonly", action="store_true", help="open read-only")
    parser.add_argument("-c", dest="commands", action="append", help="run this SQL and exit (repeatable)")
    args = parser.parse_args(argv)
    try:
        con = db.connect(args.database, read_only=args.readonly, wait_s=30)
    except (duckdb.Error, db.DatabaseBusy) as exc:
        print(f"duckdb: cannot open {args.database}: {exc}", file=sys.stderr)
        return 1
    if args.commands:
        for command in args.commands:
            run(con, command)
        return 0
    buffer = ""
    while True:
        try:
            line = input("D " if not buffer else "· ")
        except EOFError:
            break
        buffer += line + "\n"
        if buffer.strip().endswith(";"):
            run(con, buffer)
            buffer = ""
    return 0


if __name__ == "__main__":
    sys.exit(main())
