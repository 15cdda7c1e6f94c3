"""App-test fixtures: one sample database per session, fresh Streamlit caches and VITALS_DB per test."""

import shutil

import pytest
import streamlit as st

from tests.app.sample_db import build_sample_db


@pytest.fixture(scope="session")
def sample_db_file(tmp_path_factory):
    """The sample database, built once; tests that write to it take a copy (`sample_db`)."""
    return build_sample_db(tmp_path_factory.mktemp("sample") / "vitals.duckdb")


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
