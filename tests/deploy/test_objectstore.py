"""Raw tables published as Parquet snapshots (a real folder) and read back through views; S3 config as SQL."""

import datetime as dt

import duckdb
import pytest

from metrics import objectstore
from metrics.objectstore import ObjectStore, ObjectStoreError
from pipelines.github.store import Store

T = dt.datetime(2026, 7, 1, 12, 0)


def raw_db(path) -> None:
    """A raw store with the awkward types: lists, a map, a blob, NULLs."""
    store = Store(path)
    with store.tx() as con:
        Store.upsert(con, "raw_issues", [
            {"id": 1, "project": "kueue", "repo": "kubernetes-sigs/kueue", "number": 7, "is_pull_request": True,
             "author_login": "alice", "author_type": "User", "author_association": "MEMBER", "state": "closed",
             "created_at": T, "updated_at": T, "closed_at": T, "merged_at": T, "labels": ["kind/bug", "lgtm"],
             "comments": 2, "fetched_at": T},
            {"id": 2, "project": "volcano", "repo": "volcano-sh/volcano", "number": 8, "is_pull_request": False,
             "author_login": None, "author_type": None, "author_association": None, "state": "open",
             "created_at": T, "updated_at": T, "closed_at": None, "merged_at": None, "labels": [],
             "comments": 0, "fetched_at": T},
        ])  # fmt: skip
        Store.upsert(con, "raw_conformance_files", [
            {"source": "github:cncf/k8s-ai-conformance", "path": "v1.34/x/PRODUCT.yaml", "blob_sha": "ab" * 20,
             "size": 3, "content": b"a: 1", "fetched_at": T},
        ])  # fmt: skip
        con.execute(
            "INSERT INTO raw_projects VALUES ('kueue', 'Kueue', ['kubernetes-sigs/kueue'], [], ['OWNERS'], false, "
            "[], [], [], 'incubating', ['kueue'], MAP {'google.com': 'Google'})"
        )
    store.close()


def snapshot_rows(con, table: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


@pytest.mark.parametrize("as_url", [False, True], ids=["folder", "file-url"])
def test_export_then_views_give_back_every_raw_row(tmp_path, as_url):
    db_path = tmp_path / "vitals.duckdb"
    raw_db(db_path)
    folder = tmp_path / "objects"
    store = objectstore.from_env({"VITALS_OBJECT_STORE_URL": f"file://{folder}" if as_url else str(folder)})
    assert store == ObjectStore(str(folder))
    with duckdb.connect(str(db_path), read_only=True) as source:
        tables = objectstore.raw_tables(source)
        snapshot = objectstore.export(source, store)
        expected = {t: snapshot_rows(source, t) for t in tables}
    assert {"raw_issues", "raw_projects", "raw_conformance_files", "raw_crawl_log"} <= set(tables)
    assert sorted(p.name for p in (folder / "raw" / snapshot).iterdir()) == sorted(
        f"{t}.parquet" for t in tables
    )

    reader = duckdb.connect()  # another process's view of the data: no access to the DuckDB file
    assert objectstore.create_views(reader, store) == snapshot
    for table in tables:
        assert snapshot_rows(reader, table) == expected[table], table
    assert reader.execute("SELECT labels FROM raw_issues WHERE id = 1").fetchone()[0] == ["kind/bug", "lgtm"]
    assert reader.execute("SELECT domain_orgs['google.com'] FROM raw_projects").fetchone()[0] == "Google"


def test_a_newer_export_is_what_readers_see_and_the_older_stays_whole(tmp_path):
    db_path = tmp_path / "vitals.duckdb"
    raw_db(db_path)
    store = ObjectStore(str(tmp_path / "objects"))
    with duckdb.connect(str(db_path), read_only=True) as source:
        first = objectstore.export(source, store, snapshot="20260801T000000Z")
    with duckdb.connect(str(db_path)) as writer:
        writer.execute("DELETE FROM raw_issues WHERE id = 2")
        second = objectstore.export(writer, store, snapshot="20260802T000000Z")
    reader = duckdb.connect()
    assert objectstore.create_views(reader, store) == second
    assert reader.execute("SELECT count(*) FROM raw_issues").fetchone()[0] == 1
    old = store.table_url(first, "raw_issues")
    assert reader.execute(f"SELECT count(*) FROM read_parquet('{old}')").fetchone()[0] == 2


def test_reading_an_empty_store_says_to_export_first(tmp_path):
    with pytest.raises(ObjectStoreError, match="run python -m metrics.objectstore export"):
        objectstore.create_views(duckdb.connect(), ObjectStore(str(tmp_path / "empty")))


def test_s3_store_from_env_builds_secret_and_views_without_network():
    env = {
        "VITALS_OBJECT_STORE_URL": "s3://vitals-data/prod/",
        "VITALS_S3_ENDPOINT": "minio.storage.svc:9000",
        "VITALS_S3_REGION": "eu-west-1",
        "VITALS_S3_KEY_ID": "AKIAEXAMPLE",
        "VITALS_S3_SECRET": "s3cr'et",
        "VITALS_S3_URL_STYLE": "path",
        "VITALS_S3_USE_SSL": "false",
    }
    store = objectstore.from_env(env)
    assert store.url == "s3://vitals-data/prod" and not store.is_local
    assert "s3cr" not in repr(store)  # a logged config shows no secret
    assert objectstore.secret_sql(store.s3) == (
        "CREATE OR REPLACE SECRET vitals_object_store (TYPE s3, REGION 'eu-west-1', KEY_ID 'AKIAEXAMPLE', "
        "SECRET 's3cr''et', ENDPOINT 'minio.storage.svc:9000', URL_STYLE 'path', USE_SSL false)"
    )
    assert objectstore.view_sql(store, "20260801T000000Z", ["raw_issues", "bad; DROP"]) == [
        (
            "CREATE OR REPLACE VIEW raw_issues AS SELECT * FROM "
            "read_parquet('s3://vitals-data/prod/raw/20260801T000000Z/raw_issues.parquet')"
        )
    ]
    assert objectstore.export_sql(store, "20260801T000000Z", ["raw_issues"]) == [
        (
            "COPY (SELECT * FROM raw_issues) TO 's3://vitals-data/prod/raw/20260801T000000Z/raw_issues.parquet' "
            "(FORMAT parquet, COMPRESSION zstd)"
        ),
        (
            "COPY (SELECT '20260801T000000Z' AS snapshot, 'raw_issues' AS tables) TO "
            "'s3://vitals-data/prod/raw/latest.json' (FORMAT json)"
        ),
    ]


def test_s3_without_keys_uses_the_credential_chain_and_half_keys_are_refused():
    store = objectstore.from_env({"VITALS_OBJECT_STORE_URL": "s3://bucket", "AWS_REGION": "us-west-2"})
    assert objectstore.secret_sql(store.s3) == (
        "CREATE OR REPLACE SECRET vitals_object_store (TYPE s3, REGION 'us-west-2', PROVIDER credential_chain)"
    )
    with pytest.raises(ObjectStoreError, match="both VITALS_S3_KEY_ID and VITALS_S3_SECRET"):
        objectstore.from_env({"VITALS_OBJECT_STORE_URL": "s3://bucket", "VITALS_S3_KEY_ID": "x"})
    with pytest.raises(ObjectStoreError, match="s3://..., file://... or a folder"):
        objectstore.from_env({"VITALS_OBJECT_STORE_URL": "gs://bucket"})
    assert objectstore.from_env({}) is None
