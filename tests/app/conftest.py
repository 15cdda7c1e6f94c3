"""App-test fixtures: one sample database per session, the database `./vitals run` builds (once, for the
browser test), fresh Streamlit caches and VITALS_DB per test."""

import os
import shutil
import subprocess
import sys

import pytest
import streamlit as st

from pipelines.config import ROOT
from tests.app.sample_db import build_sample_db


@pytest.fixture(scope="session")
def sample_db_file(tmp_path_factory):
    """The sample database, built once; tests that write to it take a copy (`sample_db`)."""
    return build_sample_db(tmp_path_factory.mktemp("sample") / "vitals.duckdb")


@pytest.fixture(scope="session")
def replay_db(tmp_path_factory):
    """What `./vitals run` builds with no token: `python -m pipelines` replaying the recorded fixtures into a
    database of its own (about 30 s). Read only: the browser test and the docs screenshots use it."""
    home = tmp_path_factory.mktemp("replay-run")
    (home / "dagster_home").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VITALS_", "GITHUB_TOKEN"))}
    env |= {
        "VITALS_DB": str(home / "vitals.duckdb"),
        "VITALS_REPORTS_DIR": str(home / "reports"),
        "DAGSTER_HOME": str(home / "dagster_home"),
    }
    run = subprocess.run(
        [sys.executable, "-m", "pipelines"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if run.returncode != 0:
        pytest.fail(f"python -m pipelines failed (exit {run.returncode}):\n{run.stderr[-3000:]}")
    return home / "vitals.duckdb"


@pytest.fixture
def sample_db(sample_db_file, tmp_path, monkeypatch):
    """A private copy of the sample database, with VITALS_DB pointing at it."""
    path = tmp_path / "sample.duckdb"
    shutil.copyfile(sample_db_file, path)
    monkeypatch.setenv("VITALS_DB", str(path))
    return path


@pytest.fixture(autouse=True)
def fresh_streamlit_caches():
    # st.cache_data and st.cache_resource live in the process: one test's snapshot must not serve another's
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
