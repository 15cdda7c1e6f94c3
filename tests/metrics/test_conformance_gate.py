"""The gate rule (PASS / WARN / NONE) and its reasons, on hand-made submissions built from real ones."""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from metrics import db
from pipelines.conformance import store

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "source" / "conformance"
NOW = dt.datetime(2026, 8, 1)
# Made-up project names that occur nowhere in the real submissions.
PROJECTS = ("zorblax", "quuxly", "fernwhistle", "plimsoll", "brindle")


def submission(version: str, base: str, cites: list[str], must_ok: bool = True) -> bytes:
    """A real valid submission whose gang_scheduling evidence names `cites` (and nothing else does)."""
    doc = yaml.safe_load((FIXTURES / version / base / "PRODUCT.yaml").read_bytes())
    for reqs in doc["spec"].values():
        for req in reqs:
            if req["id"] == "gang_scheduling":
                req["evidence"] = [f"https://example.org/guides/{name}-gang" for name in cites]
                req["notes"] = ""
                req["status"] = "Implemented" if must_ok else "Not Implemented"
    return yaml.safe_dump(doc, sort_keys=False).encode()


@pytest.fixture
def con(tmp_path):
    con = db.connect(tmp_path / "gate.duckdb")
    db.ensure_raw_schema(con)
    yield con
    con.close()


def load(con, files: dict[str, bytes]) -> None:
    for version in ("1.34", "1.35", "1.36"):
        files[f"docs/AIConformance-{version}.yaml"] = (
            FIXTURES / "docs" / f"AIConformance-{version}.yaml"
        ).read_bytes()
    con.executemany(
        "INSERT INTO raw_conformance_files VALUES (?, ?, 'sha', ?, ?, ?)",
        [(store.GITHUB_SOURCE, path, len(data), data, NOW) for path, data in files.items()],
    )
    for project in PROJECTS:
        con.execute(
            "INSERT INTO raw_projects VALUES (?, ?, [?], [], [], false, [], [], [], 'sandbox', [?], NULL)",
            [project, project.title(), f"example/{project}", project],
        )


def gate(con) -> dict[str, tuple]:
    terms = store.project_terms_from_db(con)
    store.build(con, terms)
    rows = con.execute("SELECT project, gate, citing_platforms, citing_valid_platforms, requirements, reasons "
                       "FROM conformance_gate").fetchall()  # fmt: skip
    return {r[0]: r[1:] for r in rows}


def test_the_gate_rule_on_hand_made_submissions(con):
    load(
        con,
        {
            # zorblax: a valid submission of the newest checklist (v1.36) cites it -> PASS
            "v1.36/alpha/PRODUCT.yaml": submission("v1.36", "aks", ["zorblax", "brindle"]),
            # quuxly: only an invalid submission of a current checklist (v1.35) -> WARN
            "v1.35/beta/PRODUCT.yaml": submission("v1.35", "gke", ["quuxly", "brindle"], must_ok=False),
            # fernwhistle: only a valid submission of an older checklist (v1.34) -> WARN
            "v1.34/gamma/PRODUCT.yaml": submission("v1.34", "bks", ["fernwhistle"]),
            # plimsoll: nobody -> NONE; brindle: valid current and invalid -> PASS
        },
    )
    result = gate(con)
    assert {p: r[0] for p, r in result.items()} == {
        "zorblax": "PASS",
        "quuxly": "WARN",
        "fernwhistle": "WARN",
        "plimsoll": "NONE",
        "brindle": "PASS",
    }
    assert result["zorblax"][1:4] == (1, 1, "gang_scheduling")
    assert "v1.36/alpha" in result["zorblax"][4] and "v1.35, v1.36" in result["zorblax"][4]
    assert result["quuxly"][1:3] == (1, 0)
    assert "1 invalid (v1.35/beta)" in result["quuxly"][4]
    assert "valid but older than v1.35, v1.36 (v1.34/gamma)" in result["fernwhistle"][4]
    assert result["plimsoll"][1:4] == (0, 0, "")
    assert "not named" in result["plimsoll"][4]
    assert result["brindle"][1:3] == (2, 1)


def test_the_newest_two_checklists_follow_the_checklists_present(con):
    """Without the v1.36 checklist, v1.34 and v1.35 are the newest two, so a valid v1.34 citation passes."""
    load(con, {"v1.34/gamma/PRODUCT.yaml": submission("v1.34", "bks", ["fernwhistle"])})
    con.execute("DELETE FROM raw_conformance_files WHERE path = 'docs/AIConformance-1.36.yaml'")
    assert gate(con)["fernwhistle"][0] == "PASS"


def test_an_invalid_submission_never_counts_as_valid(con):
    load(con, {"v1.36/alpha/PRODUCT.yaml": submission("v1.36", "aks", ["zorblax"], must_ok=False)})
    assert gate(con)["zorblax"][0] == "WARN"
    row = con.execute(
        "SELECT valid, gate, reasons FROM conformance_submissions WHERE platform = 'alpha'"
    ).fetchall()
    assert row == [(False, "WARN", "must_not_implemented: gang_scheduling is MUST but 'Not Implemented'")]
    quarantine = con.execute("SELECT code FROM conformance_quarantine WHERE platform = 'alpha'").fetchall()
    assert quarantine == [("must_not_implemented",)]


def test_a_project_only_in_the_registry_file_still_gets_a_row(con):
    load(con, {})
    con.execute("DELETE FROM raw_projects")
    store.build(con, {"solo": ("solo",)})
    assert con.execute("SELECT project, gate FROM conformance_gate").fetchall() == [("solo", "NONE")]
