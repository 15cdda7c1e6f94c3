"""Shared test fixtures: env isolation, a temp DuckDB path, and the fake GitHub over the fixture world."""

import pytest

from fixtures.fakegithub import FakeGitHub
from fixtures.world import load_world
from pipelines.github.client import GitHubClient


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    for var in ("GITHUB_TOKEN", "VITALS_SOURCE", "VITALS_AS_OF", "VITALS_CONFORMANCE_DIR", "VITALS_RECORD"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("VITALS_DB", str(tmp_path / "vitals.duckdb"))
    monkeypatch.setenv("VITALS_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    (tmp_path / "dagster_home").mkdir()


@pytest.fixture
def world():
    return load_world()


class FakeClock:
    def __init__(self, start: float = 1_785_542_400.0):
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def fake_client(world):
    """A client wired to the fake GitHub: make(faults=...) -> (client, fake, clock)."""

    def make(faults=None, **kwargs):
        fake = FakeGitHub(world, faults=faults)
        clock = FakeClock(fake.clock())
        client = GitHubClient(transport=fake.transport(), sleep=clock.sleep, clock=clock, **kwargs)
        return client, fake, clock

    return make


def replay_project(db_path, project) -> tuple[int, int]:
    """Replay-crawl one project from the cassettes into db_path; returns (requests, 304s)."""
    from pipelines.github.crawler import Crawl, crawl_project
    from pipelines.github.resources import GitHubResource
    from pipelines.github.store import Store

    store = Store(db_path)
    try:
        with GitHubResource(source="replay").client(project.slug, notify=lambda m: None) as client:
            crawl_project(Crawl(client, store, run_id="replay", notify=lambda m: None), project)
            return client.stats.requests, client.stats.not_modified
    finally:
        store.close()


@pytest.fixture(scope="session")
def replay_crawl(tmp_path_factory):
    """One replay crawl of the four projects for the whole session: (database file, {slug: (requests, 304s)}).
    Tests that write to it work on a copy."""
    from pipelines.config import ROOT, load_projects

    db = tmp_path_factory.mktemp("replay-crawl") / "vitals.duckdb"
    first = {p.slug: replay_project(db, p) for p in load_projects(ROOT / "pipelines" / "projects.yaml")}
    return db, first
