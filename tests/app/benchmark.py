"""Scorecard speed in a real browser: `python -m tests.app.benchmark <vitals.duckdb> [rounds]` (docs/benchmarks.md)."""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.app.browser import CHROMIUM_ARGS, chromium_path, streamlit_server


def overview_ready(page, window: int, timeout_ms: int = 60_000) -> None:
    """The overview is drawn: its last element (the download button) names the window, the grid has painted."""
    page.get_by_role("button", name=f"scorecard ({window} days)").wait_for(timeout=timeout_ms)
    page.locator('[data-testid="stDataFrame"] canvas').first.wait_for(timeout=timeout_ms)
    page.get_by_text(f"All projects · {window}-day window").wait_for(timeout=timeout_ms)


def open_overview(page, url: str) -> float:
    """Seconds from asking for the page to the overview drawn."""
    started = time.monotonic()
    page.goto(url)
    overview_ready(page, 90)
    return time.monotonic() - started


def measure(db: Path, rounds: int) -> dict[str, list[float]]:
    env = dict(os.environ, VITALS_DB=str(db))
    timings: dict[str, list[float]] = {
        "server up": [],
        "first overview": [],
        "overview, new browser (empty cache)": [],
    }
    timings |= {"overview, new tab (static files cached)": []}
    timings |= {"window 90 → 30": [], "window 30 → 365": [], "window 365 → 90": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path()), args=CHROMIUM_ARGS)
        for _ in range(rounds):
            started = time.monotonic()
            with streamlit_server(env, Path("/tmp/vitals-benchmark-streamlit.log")) as url:
                timings["server up"].append(time.monotonic() - started)
                # one browser context: a user's browser, whose HTTP cache keeps Streamlit's static files
                context = browser.new_context(viewport={"width": 1600, "height": 1000})
                page = context.new_page()
                timings["first overview"].append(open_overview(page, url))
                page.close()
                for _ in range(3):  # a new tab of that browser: a new session, static files cached
                    page = context.new_page()
                    timings["overview, new tab (static files cached)"].append(open_overview(page, url))
                    page.close()
                context.close()
                for _ in range(3):  # a browser that has never seen the app (a new context: empty cache)
                    page = browser.new_page(viewport={"width": 1600, "height": 1000})
                    timings["overview, new browser (empty cache)"].append(open_overview(page, url))
                    for before, after in ((90, 30), (30, 365), (365, 90)):
                        started = time.monotonic()
                        page.locator('[data-testid="stSidebar"]').get_by_text(str(after), exact=True).click()
                        overview_ready(page, after)
                        timings[f"window {before} → {after}"].append(time.monotonic() - started)
                    page.close()
        browser.close()
    return timings


def main(argv: list[str]) -> int:
    db = Path(argv[0]) if argv else Path("data/vitals.duckdb")
    rounds = int(argv[1]) if len(argv) > 1 else 3
    timings = measure(db.resolve(), rounds)
    print("| step | runs | median s | max s |\n|---|---|---|---|")
    for step, values in timings.items():
        print(f"| {step} | {len(values)} | {statistics.median(values):.2f} | {max(values):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
