"""The scorecard's charts as PNG files for the docs: `python -m app.render_docs [db] [folder]` (needs vl-convert)."""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from app import charts
from app.data import Snapshot, load_snapshot
from pipelines.config import ROOT, load_settings

DEFAULT_FOLDER = ROOT / "docs" / "charts"


def docs_charts(snap: Snapshot, window: int = 90, width: int = 640) -> dict:
    """The compare-page charts for every project: the same builders the app uses, on the same views."""
    weekly = snap.frames["weekly_activity"]
    metrics = snap.frames["project_metrics"]
    components = snap.frames["scorecard_components"].filter(pl.col("window_days") == window)
    return {
        "score_components": charts.score_components(components, width),
        "contribution_velocity": charts.contribution_velocity(weekly, width),
        "weekly_activity_by_class": charts.weekly_activity_by_class(weekly, width),
        "new_vs_returning": charts.new_vs_returning(weekly, width),
        "first_response_by_window": charts.first_response_by_window(metrics, width),
        "external_pr_share_by_window": charts.external_pr_share_by_window(metrics, width),
    }


def render(snap: Snapshot, folder: Path) -> list[Path]:
    import vl_convert  # only the docs need it; the app draws in the browser

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, chart in docs_charts(snap).items():
        path = folder / f"{name}.png"
        path.write_bytes(vl_convert.vegalite_to_png(chart.to_json(), scale=1))
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    db = Path(argv[0]) if argv else load_settings().db_path
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT_FOLDER
    for path in render(load_snapshot(db), folder):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
