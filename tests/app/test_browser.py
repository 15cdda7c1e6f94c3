"""End to end: `streamlit run app/scorecard.py` on a built database, driven by headless Chromium (Playwright)."""

import os
import re

import duckdb
import pytest

from pipelines.reports.assets import REPORT_VIEWS, write_view_csv
from tests.app.browser import CHROMIUM_ARGS, ROOT, chromium_path, streamlit_server

SCREENSHOTS = ROOT / "docs" / "screenshots"
LABEL = re.compile(
    r"^(?P<project>[\w.-]+): (?P<grade>[A-F]) · (?P<score>\d+)/100 · gate (?P<gate>PASS|WARN|NONE)"
)


@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_scorecard_in_a_real_browser(browser, replay_db, tmp_path):
    """On the database `./vitals run` builds from the fixtures; its screenshots are the ones in docs/."""
    with duckdb.connect(str(replay_db), read_only=True) as con:
        expected = {
            r[0]: r[1:] for r in con.execute("SELECT project, grade, score, gate FROM scorecard").fetchall()
        }
        write_view_csv(con, "scorecard", REPORT_VIEWS["scorecard"], tmp_path / "report.csv")
    assert set(expected) == {"kai-scheduler", "kaito", "kueue", "volcano"}
    env = dict(os.environ, VITALS_DB=str(replay_db))
    with streamlit_server(env, tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1600, "height": 1000}, accept_downloads=True)

        # overview: every project with the grade, score and gate of the scorecard view
        page.goto(url)
        page.get_by_text("Why each grade").wait_for(timeout=30_000)
        page.locator('[data-testid="stDataFrame"] canvas').first.wait_for(timeout=30_000)
        page.get_by_role("button", name="scorecard (90 days)").wait_for()
        page.wait_for_timeout(300)  # the grid paints its canvas just after it appears
        labels = page.locator('[data-testid="stExpander"] summary').all_inner_texts()
        shown = {}
        for text in labels:
            match = LABEL.match(text.strip().splitlines()[-1])
            if match:
                shown[match["project"]] = (match["grade"], int(match["score"]), match["gate"])
        assert shown == expected
        assert page.get_by_text("As of 2026-08-01").count() == 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "overview.png", animations="disabled")

        # the scorecard download is the report, byte for byte
        with page.expect_download() as download:
            page.get_by_role("button", name="scorecard (90 days)").click()
        assert download.value.suggested_filename == "scorecard.csv"
        saved = tmp_path / "downloaded.csv"
        download.value.save_as(saved)
        assert saved.read_bytes() == (tmp_path / "report.csv").read_bytes()

        # a project page, deep-linked
        grade, score, _ = expected["kueue"]
        page.set_viewport_size({"width": 1600, "height": 2900})
        page.goto(f"{url}/?project=kueue")
        page.get_by_text(f"Kueue · grade {grade} · {score}/100").wait_for(timeout=30_000)
        page.get_by_role("button", name="conformance gate").wait_for(timeout=30_000)
        page.locator('[data-testid="stVegaLiteChart"]').nth(5).wait_for()
        page.wait_for_timeout(800)  # let the charts and grids finish drawing
        page.mouse.move(0, 0)  # no hover effect where the last click left the pointer
        page.screenshot(path=SCREENSHOTS / "project.png", animations="disabled")
        page.close()
