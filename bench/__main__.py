"""python -m bench: metric builds (DuckDB vs PostgreSQL), ingest (Store vs read_json), crawl cost, peak memory."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import steps

ROOT = Path(__file__).resolve().parent.parent
# PostgreSQL at `large` takes minutes a run: further runs stop once this much PostgreSQL time is spent.
PG_BUDGET_S = 900.0


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def wait_for_quiet(limit: float | None, max_wait_s: float = 300.0) -> None:
    """Before a timed step: wait (a while) until the 1-minute load average is under `limit`, since other
    work on a shared machine inflates every figure."""
    if limit is None:
        return
    deadline = time.monotonic() + max_wait_s
    while os.getloadavg()[0] >= limit and time.monotonic() < deadline:
        time.sleep(5)
    if os.getloadavg()[0] >= limit:
        log(f"load average still {os.getloadavg()[0]:.1f} after {max_wait_s:.0f}s; measuring anyway")


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": values}


def machine() -> dict:
    def first(cmd: list[str], needle: str = "") -> str:
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False).stdout
        except (OSError, subprocess.TimeoutExpired):
            return ""
        lines = [x for x in out.splitlines() if needle in x]
        return lines[0].split(":", 1)[-1].strip() if lines else ""

    import duckdb

    from bench.pg import bindir

    pg = bindir()
    mem_kb = int(
        next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1]
    )
    return {
        "cpu": first(["lscpu"], "Model name"),
        "cpus": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "postgresql": first([str(pg / "postgres"), "--version"]) if pg else None,
    }


def _generated(workdir: Path, scale: str, seed: int) -> tuple[Path, dict]:
    """The raw store of (scale, seed), generated once and reused while bench/generate.py is unchanged."""
    source = (ROOT / "bench" / "generate.py").read_bytes()
    stamp = {"scale": scale, "seed": seed, "generator": hashlib.sha256(source).hexdigest()[:16]}
    raw = workdir / f"raw-{scale}-{seed}.duckdb"
    meta = workdir / f"raw-{scale}-{seed}.json"
    if raw.exists() and meta.exists():
        known = json.loads(meta.read_text())
        if known.get("stamp") == stamp:
            log(f"reusing {raw} (generated in {known['result']['seconds']:.1f}s)")
            return raw, known["result"] | {"cached": True}
    log(f"generating {scale} (seed {seed}) into {raw}")
    result = steps.run("generate", scale=scale, seed=seed, db=str(raw))
    meta.write_text(json.dumps({"stamp": stamp, "result": result}))
    return raw, result | {"cached": False}


def bench_metrics(
    workdir: Path, raw: Path, runs: int, profile: bool, sql: str | None, quiet: float | None
) -> dict:
    run_db = workdir / "metrics-duckdb.duckdb"
    results = []
    for i in range(runs):
        wait_for_quiet(quiet)
        r = steps.run("duckdb_build", raw=str(raw), run=str(run_db), sql=sql)
        log(f"DuckDB build {i + 1}/{runs}: {r['seconds']:.2f}s, peak RSS {r['peak_rss_mb']:.0f} MB")
        results.append(r)
    out = {
        "seconds": spread([r["seconds"] for r in results]),
        "cpu_s": spread([r["cpu_s"] for r in results]),
        "peak_rss_mb": spread([r["peak_rss_mb"] for r in results]),
        "rows": results[-1]["rows"],
        "db": str(run_db),
    }
    if profile:
        wait_for_quiet(quiet)
        p = steps.run("duckdb_profile", raw=str(raw), run=str(workdir / "metrics-profile.duckdb"), sql=sql)
        out["profile"] = p["steps"]
        (workdir / "metrics-profile.duckdb").unlink(missing_ok=True)
    return out


def bench_postgres(workdir: Path, raw: Path, duck_db: Path, runs: int, quiet: float | None) -> dict:
    import duckdb

    from bench import pg
    from bench.compare import compare

    if not pg.install(notify=log):
        return {
            "skipped": "PostgreSQL is not installed and could not be installed (apt-get install postgresql)"
        }
    with pg.Cluster(workdir) as cluster:
        with pg.MemorySampler(cluster.postmaster_pid()) as mem:
            load = steps.run("pg_load", cluster=str(cluster.root), raw=str(raw))
        log(f"PostgreSQL load (COPY, keys, ANALYZE): {load['seconds']:.1f}s")
        builds, peaks, note = [], [], None
        spent = 0.0
        for i in range(runs):
            wait_for_quiet(quiet)
            with pg.MemorySampler(cluster.postmaster_pid()) as mem:
                r = steps.run("pg_build", cluster=str(cluster.root))
            builds.append(r)
            peaks.append(mem.peak_kb / 1024)
            spent += r["seconds"]
            log(f"PostgreSQL build {i + 1}/{runs}: {r['seconds']:.1f}s, server peak PSS {peaks[-1]:.0f} MB")
            if i + 1 < runs and spent + r["seconds"] > PG_BUDGET_S:
                note = (f"{i + 1} of {runs} runs: one more would pass the {PG_BUDGET_S:.0f}s PostgreSQL budget "
                        f"({r['seconds']:.0f}s a run)")  # fmt: skip
                log(note)
                break
        with duckdb.connect(str(duck_db), read_only=True) as con:
            check = compare(con, cluster)
        log(f"DuckDB and PostgreSQL agree: {check['equal']} ({check['values_compared']} values compared)")
        for problem in check["problems"][:20]:
            log(f"  {problem}")
    return {
        "load_seconds": load["seconds"],
        "seconds": spread([b["seconds"] for b in builds]),
        "server_peak_pss_mb": spread(peaks),
        "client_peak_rss_mb": spread([b["peak_rss_mb"] for b in builds]),
        "steps": builds[-1]["steps"],
        "runs_note": note,
        "equality": check,
    }


def bench_ingest(workdir: Path, runs: int, quiet: float | None) -> dict:
    from bench.ingest import differences

    pages = workdir / "pages"
    corpus = steps.run("ingest_pages", pages=str(pages))
    store_db, json_db = workdir / "ingest-store.duckdb", workdir / "ingest-read-json.duckdb"
    store, read_json = [], []
    for i in range(runs):
        wait_for_quiet(quiet)
        store.append(steps.run("ingest_store", pages=str(pages), db=str(store_db)))
        read_json.append(steps.run("ingest_read_json", pages=str(pages), db=str(json_db)))
        log(f"ingest {i + 1}/{runs}: Store {store[-1]['seconds']:.2f}s, read_json {read_json[-1]['seconds']:.2f}s "
            f"({corpus['items']} items)")  # fmt: skip
    diff = differences(store_db, json_db)
    return {
        "corpus": corpus | {"source": "fixtures/cassettes (listing pages and GraphQL review batches)"},
        "store_seconds": spread([r["seconds"] for r in store]),
        "read_json_seconds": spread([r["seconds"] for r in read_json]),
        "store_items_per_s": spread([r["items"] / r["seconds"] for r in store]),
        "read_json_items_per_s": spread([r["items"] / r["seconds"] for r in read_json]),
        "store_peak_rss_mb": spread([r["peak_rss_mb"] for r in store]),
        "read_json_peak_rss_mb": spread([r["peak_rss_mb"] for r in read_json]),
        "row_differences": diff,
        "equal": not any(diff.values()),
    }


def summary(results: dict) -> str:
    m, p, i, c = results["metrics"], results.get("postgres", {}), results["ingest"], results["crawl"]
    speedup = p["seconds"]["median"] / m["seconds"]["median"] if "seconds" in p else None
    if p.get("equality") and not p["equality"]["equal"]:
        speedup = None  # a faster wrong answer does not count
    ratio = i["store_seconds"]["median"] / i["read_json_seconds"]["median"]
    peak = max(m["peak_rss_mb"]["max"], i["store_peak_rss_mb"]["max"], c["peak_rss_mb"])
    return (
        f"bench: metrics_speedup_vs_postgres={'n/a' if speedup is None else f'{speedup:.1f}'} "
        f"ingest_ratio_vs_read_json={ratio:.2f} crawl_requests_vs_minimum={c['ratio']:.3f} "
        f"refresh_rate_limited_requests={c['refresh_rate_limited']} peak_rss_mb={peak:.0f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split(": ", 1)[1])
    parser.add_argument("--scale", choices=("tiny", "small", "large"), default="small")
    parser.add_argument("--runs", type=int, default=3, help="runs of each timed step (median, min, max)")
    parser.add_argument("--pg-runs", type=int, help="runs of the PostgreSQL build (default: --runs)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print every figure as JSON before the summary")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL comparison")
    parser.add_argument("--profile", action="store_true", help="also time each metric model (one extra run)")
    parser.add_argument(
        "--sql", help="a folder of .sql files standing in for same-named sql/staging|marts files"
    )
    parser.add_argument(
        "--wait-load", type=float, help="before each timed step, wait until the load average is below"
    )
    parser.add_argument(
        "--workdir", type=Path, default=Path(os.environ.get("VITALS_BENCH_DIR", Path(tempfile.gettempdir()) / "vitals-bench"))
    )  # fmt: skip
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict = {
        "scale": args.scale, "seed": args.seed, "runs": args.runs, "machine": machine(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "load_average_start": os.getloadavg(),
    }  # fmt: skip
    raw, results["generate"] = _generated(args.workdir, args.scale, args.seed)
    results["sql_override"] = args.sql
    results["metrics"] = bench_metrics(args.workdir, raw, args.runs, args.profile, args.sql, args.wait_load)
    if args.no_postgres:
        results["postgres"] = {"skipped": "--no-postgres"}
    else:
        results["postgres"] = bench_postgres(
            args.workdir, raw, Path(results["metrics"]["db"]), args.pg_runs or args.runs, args.wait_load
        )
    results["ingest"] = bench_ingest(args.workdir, args.runs, args.wait_load)
    log("crawl: full crawl and unchanged refresh of the fixture world against the fake GitHub")
    results["crawl"] = steps.run("crawl", workdir=str(args.workdir))
    results["load_average_end"] = os.getloadavg()
    results["total_seconds"] = time.perf_counter() - started
    results["summary"] = summary(results)
    name = f"results-{args.scale}{'-' + Path(args.sql).name if args.sql else ''}.json"
    (args.workdir / name).write_text(json.dumps(results, indent=1, default=str))
    if args.json:
        print(json.dumps(results, indent=1, default=str))
    print(results["summary"])
    equal = results["postgres"].get("equality", {}).get("equal", True) and results["ingest"]["equal"]
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
