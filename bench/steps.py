"""Each measured step as its own process (`python -m bench.steps <step> '<json args>'`), so the parent can
read that step's peak RSS and CPU time from the kernel (wait4) and nothing leaks between steps."""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

MARKER = "BENCH-RESULT "
AS_OF = dt.date(2026, 8, 1)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _fresh_copy(raw: Path, run: Path) -> None:
    for p in (run, Path(f"{run}.wal")):
        p.unlink(missing_ok=True)
    shutil.copyfile(raw, run)


# -- steps -----------------------------------------------------------------------------------------
def generate(scale: str, seed: int, db: str) -> dict:
    import duckdb

    from bench.generate import generate as write

    Path(db).unlink(missing_ok=True)
    started, cpu = time.perf_counter(), _cpu()
    with duckdb.connect(db) as con:
        counts = write(con, scale, seed)
    return {"seconds": time.perf_counter() - started, "cpu_s": _cpu() - cpu, "rows": counts}


def _use_sql(folder: str | None) -> None:
    """Let the .sql files of `folder` stand in for the same-named files of sql/staging and sql/marts (to
    measure a proposed change before making it)."""
    if not folder:
        return
    from metrics import db

    replacements = {p.name: p for p in Path(folder).glob("*.sql")}
    shipped = db.sql_files
    db.sql_files = lambda layer: [replacements.get(p.name, p) for p in shipped(layer)]


def duckdb_build(raw: str, run: str, sql: str | None = None) -> dict:
    """metrics.build.build_metrics on a fresh copy of the raw store, as the metric_views asset runs it
    (metrics.db.connect, one transaction), and the close that makes it durable."""
    from metrics import db
    from metrics.build import build_metrics
    from pipelines.config import Project

    _use_sql(sql)
    _fresh_copy(Path(raw), Path(run))
    con = db.connect(run)
    slugs = [r[0] for r in con.execute("SELECT project FROM raw_projects ORDER BY project").fetchall()]
    projects = [Project(slug=s, name=s, repos=()) for s in slugs]
    started, cpu = time.perf_counter(), _cpu()
    counts = build_metrics(con, AS_OF, "replay", projects)
    con.close()
    return {"seconds": time.perf_counter() - started, "cpu_s": _cpu() - cpu, "rows": counts}


def duckdb_profile(raw: str, run: str, sql: str | None = None) -> dict:
    """The steps of build_metrics one by one (same order, one transaction) with the time of each."""
    from metrics import db
    from metrics.build import OTHER_DOMAINS, load_bot_accounts
    from metrics.maintainers import build_maintainer_roles
    from metrics.organisations import load_independent_domains

    _use_sql(sql)
    _fresh_copy(Path(raw), Path(run))
    con = db.connect(run)
    slugs = [r[0] for r in con.execute("SELECT project FROM raw_projects ORDER BY project").fetchall()]
    times: dict[str, float] = {}
    started = time.perf_counter()
    with db.transaction(con):
        t = time.perf_counter()
        con.execute("DELETE FROM vitals_run")
        con.execute("INSERT INTO vitals_run VALUES ($as_of, 'replay', now()::TIMESTAMP)", {"as_of": AS_OF})
        con.execute("CREATE OR REPLACE TABLE vitals_run_projects (project VARCHAR PRIMARY KEY)")
        con.executemany("INSERT INTO vitals_run_projects VALUES (?)", [(s,) for s in slugs])
        load_bot_accounts(con)
        load_independent_domains(con)
        times["inputs"] = time.perf_counter() - t
        t = time.perf_counter()
        build_maintainer_roles(con)
        times["maintainer_roles"] = time.perf_counter() - t
        for layer in ("staging", "marts"):
            for path in db.sql_files(layer):
                if not any(other in path.name for other in OTHER_DOMAINS):
                    t = time.perf_counter()
                    db.run_sql_file(con, path)
                    times[f"{layer}/{path.name}"] = time.perf_counter() - t
        t = time.perf_counter()
    times["commit"] = time.perf_counter() - t
    t = time.perf_counter()
    con.close()
    times["close"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - started
    return {"seconds": times["total"], "steps": times}


def pg_load(cluster: str, raw: str) -> dict:
    import duckdb

    from bench.pg import Cluster

    started, cpu = time.perf_counter(), _cpu()
    with duckdb.connect(raw, read_only=True) as con:
        rows = Cluster.attached(cluster).load_raw(con)
    return {"seconds": time.perf_counter() - started, "cpu_s": _cpu() - cpu, "rows": rows}


def pg_build(cluster: str) -> dict:
    from bench.pg import Cluster

    steps = Cluster.attached(cluster).build(AS_OF)
    return {"seconds": steps["total"], "steps": steps}


def ingest_pages(pages: str) -> dict:
    from bench.ingest import extract_cassette_pages

    shutil.rmtree(pages, ignore_errors=True)
    manifest = extract_cassette_pages(Path(pages))
    return {"pages": len(manifest), "items": sum(p["items"] for p in manifest)}


def ingest_store(pages: str, db: str) -> dict:
    from bench.ingest import load_with_store

    Path(db).unlink(missing_ok=True)
    cpu = _cpu()
    return load_with_store(Path(pages), Path(db)) | {"cpu_s": _cpu() - cpu}


def ingest_read_json(pages: str, db: str) -> dict:
    from bench.ingest import load_with_read_json

    Path(db).unlink(missing_ok=True)
    cpu = _cpu()
    return load_with_read_json(Path(pages), Path(db)) | {"cpu_s": _cpu() - cpu}


def crawl(workdir: str) -> dict:
    from bench.crawl import measure

    started = time.perf_counter()
    return measure(Path(workdir)) | {"seconds": time.perf_counter() - started}


STEPS = {f.__name__: f for f in (generate, duckdb_build, duckdb_profile, pg_load, pg_build, ingest_pages,
                                 ingest_store, ingest_read_json, crawl)}  # fmt: skip


# -- running a step in a child process -----------------------------------------------------------------
def run(step: str, **kwargs) -> dict:
    """Run `step` in a child process; its result plus the child's peak RSS (MB) and CPU seconds."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.steps", step, json.dumps(kwargs)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    out = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"bench step {step} failed (exit {proc.returncode}); see its error above")
    line = next(x for x in reversed(out.splitlines()) if x.startswith(MARKER))
    result = json.loads(line[len(MARKER) :])
    # the step's own high-water mark (VmHWM): the kernel's ru_maxrss of a child starts from the size of the
    # parent it was forked from, which made small steps look as big as the bench process
    peak_kb = result.pop("vm_hwm_kb", usage.ru_maxrss)
    return result | {
        "wall_s": time.perf_counter() - started,
        "peak_rss_mb": peak_kb / 1024,
        "process_cpu_s": usage.ru_utime + usage.ru_stime,
    }


def main() -> None:
    step, kwargs = sys.argv[1], json.loads(sys.argv[2])
    result = STEPS[step](**kwargs)
    status = Path("/proc/self/status")
    if status.exists():
        hwm = next((x for x in status.read_text().splitlines() if x.startswith("VmHWM:")), None)
        if hwm:
            result["vm_hwm_kb"] = int(hwm.split()[1])
    print(MARKER + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    main()
