"""deploy/postgres/dagster.yaml against a real PostgreSQL: a replay run end to end leaves its records there."""

import shutil

import dagster as dg
import pytest

from pipelines.config import ROOT
from pipelines.github.tokens import TOKEN_TAG
from tests.deploy import postgres

INSTANCE_YAML = ROOT / "deploy" / "postgres" / "dagster.yaml"
PARTITION = "kai-scheduler"  # the smallest recorded crawl: 61 requests


@pytest.fixture(scope="module")
def server():
    bin_dir = postgres.bindir()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL is not installed (apt-get install -y postgresql; ./vitals test does it as root)"
        )
    pytest.importorskip(
        "dagster_postgres", reason="dagster-postgres is not installed (pip install -e '.[scale]')"
    )
    with postgres.running(bin_dir) as running:
        yield running


@pytest.fixture
def pg_home(server, tmp_path, monkeypatch):
    home = tmp_path / "dagster_pg_home"
    home.mkdir()
    shutil.copy(INSTANCE_YAML, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    for name, value in server.env().items():
        monkeypatch.setenv(name, value)
    return home


def test_replay_run_records_land_in_postgres(server, pg_home):
    import psycopg2
    from dagster_postgres import PostgresRunStorage

    from pipelines.definitions import all_assets, defs
    from pipelines.github.assets import crawl_assets

    crawl = dg.AssetSelection.assets(*crawl_assets)
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
        assert {"key": TOKEN_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1} in limits
        crawled = dg.materialize(all_assets, selection=crawl, partition_key=PARTITION, instance=instance,
                                 resources=defs.resources)  # fmt: skip
        rest = dg.materialize(all_assets, selection=dg.AssetSelection.all() - crawl, instance=instance,
                              resources=defs.resources)  # fmt: skip
        assert crawled.success and rest.success
        materialized = instance.get_latest_materialization_event(dg.AssetKey("github_issues"))
        assert materialized.dagster_event.partition == PARTITION

    con = psycopg2.connect(host=server.host, port=server.port, user=server.user, password=server.password,
                           dbname=server.db)  # fmt: skip
    try:
        with con.cursor() as cur:
            cur.execute("SELECT run_id, status FROM runs")
            runs = dict(cur.fetchall())
            cur.execute(
                "SELECT count(*) FROM event_logs WHERE run_id = %s AND dagster_event_type = 'ASSET_MATERIALIZATION'",
                (crawled.run_id,),
            )
            crawl_materializations = cur.fetchone()[0]
            cur.execute("SELECT asset_key FROM asset_keys")
            asset_keys = {row[0] for row in cur.fetchall()}
    finally:
        con.close()
    assert runs == {crawled.run_id: "SUCCESS", rest.run_id: "SUCCESS"}
    assert crawl_materializations == len(crawl_assets)
    assert {'["github_issues"]', '["csv_reports"]', '["project_metrics"]'} <= asset_keys
