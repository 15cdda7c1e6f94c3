"""The scorecard asset: grades, points and gate badges per project and window (sql/marts/90_scorecard.sql)."""

import dagster as dg

from metrics.scoring import SCORECARD_VIEWS, ScorecardInputError, build_scorecard
from pipelines.resources import VitalsDuckDB

PREVIEW = ("project", "grade", "score", "gate", "small_sample")


@dg.asset(
    group_name="scorecard",
    kinds={"duckdb"},
    # after the metric views and the conformance gate; the gate's blocking check stops it when the
    # conformance tables themselves are broken
    deps=[dg.AssetKey("project_metrics"), dg.AssetKey("projects"), dg.AssetKey("conformance")],
    pool="duckdb",
)
def scorecard(context: dg.AssetExecutionContext, duckdb: VitalsDuckDB) -> dg.MaterializeResult:
    """The scorecard tables the Streamlit app reads: scorecard (90 days), scorecard_windows (30/90/365),
    scorecard_components (each metric's value, points and rule) and the rule and grade tables."""
    with duckdb.connect() as con:
        try:
            counts = build_scorecard(con)
        except ScorecardInputError as exc:
            raise dg.Failure(description=str(exc)) from None
        columns = {r[0] for r in con.execute("DESCRIBE scorecard").fetchall()}
        shown = [c for c in PREVIEW if c in columns]
        rows = con.execute(f"SELECT {', '.join(shown)} FROM scorecard ORDER BY project").fetchall()
    table = ["| " + " | ".join(shown) + " |", "|" + "---|" * len(shown)]
    table += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    context.log.info(f"scorecard: {', '.join(f'{r[0]} {r[1]}' for r in rows)}")
    return dg.MaterializeResult(
        metadata={
            **{view: dg.MetadataValue.int(counts[view]) for view in SCORECARD_VIEWS},
            "preview_90_days": dg.MetadataValue.md("\n".join(table)),
        }
    )


assets = [scorecard]
