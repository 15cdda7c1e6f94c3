"""Fixtures shared by the Dagster asset tests."""

import duckdb
import pytest

from tests.pipelines.metric_rows import REGISTRY, fill


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    """A DuckDB file with the hand-made raw rows of two projects, and the registry and as_of they go with."""
    registry = tmp_path / "projects.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    monkeypatch.setenv("VITALS_PROJECTS", str(registry))
    monkeypatch.setenv("VITALS_AS_OF", "2026-08-01")
    path = tmp_path / "vitals.duckdb"
    with duckdb.connect(str(path)) as con:
        fill(con)
    return path
