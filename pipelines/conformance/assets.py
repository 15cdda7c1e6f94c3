"""The conformance asset: local results ingested, every submission parsed and validated, the gate views built."""

import dagster as dg

from metrics.conformance import project_terms
from pipelines.config import load_projects, load_settings
from pipelines.conformance import store
from pipelines.resources import VitalsDuckDB


def markdown_table(rows: list[tuple], header: tuple[str, ...]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |" for row in rows]
    return "\n".join(lines)


@dg.asset(
    group_name="conformance",
    kinds={"duckdb"},
    deps=[dg.AssetKey("conformance_files"), dg.AssetKey("projects_registry")],
    pool="duckdb",
)
def conformance(context: dg.AssetExecutionContext, duckdb: VitalsDuckDB) -> dg.MaterializeResult:
    """CNCF AI Conformance: VITALS_CONFORMANCE_DIR mirrored into raw_conformance_files, every submission
    validated against its checklist, and the views conformance_submissions, conformance_citations,
    conformance_gate and conformance_quarantine rebuilt."""
    settings = load_settings()
    with duckdb.connect() as con:
        local_files, problems = store.ingest_local_dir(con, settings.conformance_dir)
        terms = store.project_terms_from_db(con)
        if not terms:
            # raw_projects not filled yet (registry asset not run): the registry file says the same.
            projects = load_projects(settings.projects_file)
            terms = {p.slug: project_terms(p.conformance_aliases, p.repos, p.former_names) for p in projects}
        built = store.build(con, terms)
        counts = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE valid), count(*) FILTER (WHERE source NOT LIKE 'github:%') "
            "FROM conformance_submissions"
        ).fetchall()[0]
        citations = con.execute("SELECT count(*) FROM conformance_citations").fetchall()[0][0]
        quarantine = con.execute("SELECT count(*) FROM conformance_quarantine").fetchall()[0][0]
        gate = con.execute(
            "SELECT project, gate, citing_platforms, citing_valid_platforms, requirements FROM conformance_gate "
            "ORDER BY project"
        ).fetchall()
    for problem in problems + built["checklist_problems"]:
        context.log.warning(problem)
    return dg.MaterializeResult(
        metadata={
            "conformance_submissions": dg.MetadataValue.int(counts[0]),
            "valid_submissions": dg.MetadataValue.int(counts[1]),
            "invalid_submissions": dg.MetadataValue.int(counts[0] - counts[1]),
            "local_submissions": dg.MetadataValue.int(counts[2]),
            "local_files_ingested": dg.MetadataValue.int(local_files),
            "conformance_citations": dg.MetadataValue.int(citations),
            "conformance_gate": dg.MetadataValue.int(len(gate)),
            "conformance_quarantine": dg.MetadataValue.int(quarantine),
            "checklist_requirements": dg.MetadataValue.int(built["stg_conformance_checklists"]),
            "preview": dg.MetadataValue.md(
                markdown_table(
                    gate, ("project", "gate", "citing_platforms", "citing_valid_platforms", "requirements")
                )
            ),
        }
    )
