"""Chaos runs on a small subset: SIGKILLs, faults and drift end with the store a fault-free crawl builds."""

import re
import shutil

import duckdb
import pytest

from fixtures.world import load_world
from pipelines.config import ROOT, load_projects
from tests.chaos import compare, crawl_in_process, main, run_chaos

# 60 requests a crawl, 18 issue pages (room for kills and drift), and an old name that answers 301
QUICK = ["kai-scheduler"]


@pytest.mark.parametrize("seed", [3, 8])
def test_killed_faulted_drifting_crawl_ends_identical_to_a_fault_free_one(seed, tmp_path):
    result = run_chaos(seed, kills=2, fault_rate=0.12, slugs=QUICK, drift=6, workdir=tmp_path)
    assert result.kills == 2 and result.faults > 0
    assert (result.lost, result.duplicated, result.identical) == (0, 0, True), result.notes


def test_cli_without_drift_is_whole_before_the_refresh_and_prints_the_verdict(capsys, tmp_path):
    # with nothing changing upstream, the resumed crawl must be complete on its own, not thanks to the refresh
    code = main(["--seed", "5", "--kills", "2", "--fault-rate", "0.1", "--drift", "0",
                 "--projects", ",".join(QUICK), "--workdir", str(tmp_path)])  # fmt: skip
    out = [line.strip() for line in capsys.readouterr().out.splitlines()]
    assert "before the refresh: identical" in out
    assert re.fullmatch(r"chaos: seed=5 kills=2 faults=\d+ lost=0 duplicated=0 identical=true", out[-1]), out
    assert code == 0


def test_comparison_counts_a_lost_a_stale_and_an_extra_row(tmp_path):
    project = next(p for p in load_projects(ROOT / "pipelines" / "projects.yaml") if p.slug in QUICK)
    crawl_in_process(load_world(), [project], tmp_path / "expected.duckdb")
    damaged = tmp_path / "damaged.duckdb"
    shutil.copyfile(tmp_path / "expected.duckdb", damaged)
    con = duckdb.connect(str(damaged))
    con.execute("DELETE FROM raw_issues WHERE id = (SELECT min(id) FROM raw_issues)")
    con.execute(
        "UPDATE raw_comments SET updated_at = updated_at - INTERVAL 1 DAY WHERE id = (SELECT max(id) FROM raw_comments)"
    )
    con.execute("INSERT INTO raw_commits SELECT * REPLACE ('f' || sha AS sha) FROM raw_commits LIMIT 1")
    con.close()
    diffs, identical = compare(tmp_path / "expected.duckdb", damaged)
    assert not identical
    assert (diffs["raw_issues"].missing, diffs["raw_comments"].stale, diffs["raw_commits"].extra) == (1, 1, 1)
    assert sum(d.lost for d in diffs.values()) == 2 and sum(d.duplicated for d in diffs.values()) == 1
