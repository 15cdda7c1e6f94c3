"""Dagster resources handed to every asset by name: the DuckDB file and the run settings."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import dagster as dg
import duckdb

from metrics import db
from pipelines.config import Settings, load_projects, load_settings


class VitalsDuckDB(dg.ConfigurableResource):
    """The DuckDB file. Connections are short-lived: open, write a batch, close (one writer at a time)."""

    path: str = ""  # empty: VITALS_DB (default data/vitals.duckdb)

    def resolved_path(self) -> str:
        return self.path or str(load_settings().db_path)

    @contextlib.contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with db.session(self.resolved_path(), read_only=read_only) as con:
            if not read_only:
                db.ensure_raw_schema(con)
            yield con


def settings() -> Settings:
    return load_settings()


def projects():
    return load_projects(load_settings().projects_file)
