"""The raw_snapshot asset: the raw tables published as Parquet on object storage for readers elsewhere."""

import dagster as dg

from metrics import objectstore
from pipelines.resources import VitalsDuckDB


@dg.asset(
    group_name="reports",
    kinds={"duckdb", "parquet"},
    deps=[dg.AssetKey("scorecard")],  # after a whole build, so a snapshot matches the reports of the run
    pool="duckdb",
)
def raw_snapshot(context: dg.AssetExecutionContext, duckdb: VitalsDuckDB) -> dg.MaterializeResult:
    """Every raw table of VITALS_DB as VITALS_OBJECT_STORE_URL/raw/<UTC timestamp>/<table>.parquet, then
    raw/latest.json naming it (docs/scaling.md). Without VITALS_OBJECT_STORE_URL it publishes nothing and
    says so."""
    try:
        store = objectstore.from_env()
    except objectstore.ObjectStoreError as exc:
        raise dg.Failure(description=str(exc)) from None
    if store is None:
        context.log.info("VITALS_OBJECT_STORE_URL is unset: no Parquet snapshot published")
        return dg.MaterializeResult(metadata={"published": dg.MetadataValue.bool(False)})
    with duckdb.connect(read_only=True) as con:
        tables = objectstore.raw_tables(con)
        rows = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}
        snapshot = objectstore.export(con, store, tables)
    context.log.info(f"published snapshot {snapshot}: {len(tables)} raw tables, {sum(rows.values())} rows")
    return dg.MaterializeResult(
        metadata={
            "published": dg.MetadataValue.bool(True),
            "snapshot": dg.MetadataValue.text(snapshot),
            "location": dg.MetadataValue.text(f"{store.raw_prefix()}/{snapshot}/"),
            "rows": dg.MetadataValue.int(sum(rows.values())),
            "tables": dg.MetadataValue.json(rows),
        }
    )
