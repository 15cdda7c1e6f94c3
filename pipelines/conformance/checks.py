"""Asset checks on the conformance tables: a blocking one for a broken table, reports for bad submissions."""

import dagster as dg
from duckdb import Error as DuckDBError

from pipelines.conformance import store
from pipelines.conformance.assets import conformance, markdown_table
from pipelines.resources import VitalsDuckDB

PREVIEW_ROWS = 50


@dg.asset_check(asset=conformance, blocking=True)
def conformance_tables_sound(duckdb: VitalsDuckDB) -> dg.AssetCheckResult:
    """Blocks everything downstream (the scorecard) when the table itself is broken: no submission parsed,
    a version with submissions but no checklist, or duplicate keys."""
    with duckdb.connect(read_only=True) as con:
        problems = store.table_problems(con)
    return dg.AssetCheckResult(
        passed=not problems,
        description="; ".join(problems) or "submissions parsed, every version has its checklist, keys unique",
        metadata={"problems": dg.MetadataValue.int(len(problems))},
    )


def _quarantine_check(name: str, local: bool, what: str):
    @dg.asset_check(asset=conformance, name=name, blocking=False, description=f"Quarantined {what}.")
    def _check(duckdb: VitalsDuckDB) -> dg.AssetCheckResult:
        with duckdb.connect(read_only=True) as con:
            try:
                rows = store.quarantined(con, local=local)
            except DuckDBError as exc:  # the blocking check reports a broken table; this one only reports
                return dg.AssetCheckResult(passed=False, severity=dg.AssetCheckSeverity.WARN,
                                           description=f"cannot read conformance_submissions: {exc}")  # fmt: skip
        return dg.AssetCheckResult(
            passed=not rows,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{len(rows)} invalid {what} quarantined (see conformance_quarantine); "
            "they count only towards WARN, never PASS",
            metadata={
                "invalid": dg.MetadataValue.int(len(rows)),
                "quarantine": dg.MetadataValue.md(
                    markdown_table(rows[:PREVIEW_ROWS], ("version", "platform", "source", "reasons"))
                ),
            },
        )

    return _check


crawled_submissions_valid = _quarantine_check(
    "crawled_submissions_valid", False, "submissions of cncf/k8s-ai-conformance"
)
local_results_valid = _quarantine_check("local_results_valid", True, "local results (VITALS_CONFORMANCE_DIR)")
