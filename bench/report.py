"""The figures of docs/benchmarks.md ("## Pipeline") as markdown tables, from the results JSON of `python -m bench`."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path


def _fmt(x: float, digits: int) -> str:
    return f"{x:,.{digits}f}"


def cell(spread: dict | None, digits: int = 1) -> str:
    """median (min–max, n runs)."""
    if not spread:
        return "—"
    n = len(spread.get("runs", [])) or 1
    if n == 1:
        return f"{_fmt(spread['median'], digits)} (1 run)"
    return f"{_fmt(spread['median'], digits)} ({_fmt(spread['min'], digits)}–{_fmt(spread['max'], digits)})"


def _ratio(a: dict, b: dict) -> dict:
    """Spread of a/b over paired runs (same index), median of the ratios."""
    import statistics

    pairs = [x / y for x, y in zip(a["runs"], b["runs"], strict=False)]
    return {"median": statistics.median(pairs), "min": min(pairs), "max": max(pairs), "runs": pairs}


def figures(results: dict[str, dict]) -> str:
    scales = [s for s in ("small", "large") if s in results]
    head = "| figure | " + " | ".join(scales) + " | target (large) |\n|---|" + "---|" * len(scales) + "---|\n"
    rows = []

    def row(label, values, target=""):
        rows.append(f"| {label} | " + " | ".join(values) + f" | {target} |")

    def each(fn):
        return [fn(results[s]) for s in scales]

    row(
        "contributions (rows of `contributions`)",
        each(lambda r: f"{r['metrics']['rows']['contributions']:,}"),
    )
    row("raw rows generated", each(lambda r: f"{sum(r['generate']['rows'].values()):,}"))
    row("generation, s", each(lambda r: _fmt(r["generate"]["seconds"], 1)))
    row("DuckDB: all metric views, s", each(lambda r: cell(r["metrics"]["seconds"], 2)), "< 15 s")
    row("DuckDB: CPU time of the build, s", each(lambda r: cell(r["metrics"]["cpu_s"], 1)))
    row(
        "DuckDB: peak RSS of the build, MB",
        each(lambda r: cell(r["metrics"]["peak_rss_mb"], 0)),
        "< 3,000 MB",
    )
    pg = {s: results[s].get("postgres", {}) for s in scales}
    if all("seconds" in pg[s] for s in scales):
        row("PostgreSQL 15: load (COPY, keys, ANALYZE), s", [_fmt(pg[s]["load_seconds"], 1) for s in scales])
        row("PostgreSQL 15: all metric views, s", [cell(pg[s]["seconds"], 1) for s in scales])
        row("PostgreSQL 15: server peak PSS, MB", [cell(pg[s]["server_peak_pss_mb"], 0) for s in scales])
        row(
            "**speed-up, DuckDB vs PostgreSQL** (median / median)",
            [
                f"**{pg[s]['seconds']['median'] / results[s]['metrics']['seconds']['median']:.1f}×**"
                for s in scales
            ],
            "≥ 10×",
        )
        row(
            "results equal (values compared)",
            [f"{'yes' if pg[s]['equality']['equal'] else 'NO'} ({pg[s]['equality']['values_compared']:,})" for s in scales],
        )  # fmt: skip
    ing = {s: results[s]["ingest"] for s in scales}
    row(
        "ingest corpus: pages / items",
        [f"{ing[s]['corpus']['pages']} / {ing[s]['corpus']['items']:,}" for s in scales],
    )
    row(
        "ingest through Store (crawler parsing + upsert), items/s",
        [cell(ing[s]["store_items_per_s"], 0) for s in scales],
    )
    row("ingest with read_json, items/s", [cell(ing[s]["read_json_items_per_s"], 0) for s in scales])
    row(
        "**ingest time, Store / read_json**",
        [
            f"**{ing[s]['store_seconds']['median'] / ing[s]['read_json_seconds']['median']:.2f}**"
            for s in scales
        ],
        "≤ 2",
    )
    if all("proposed_seconds" in ing[s] for s in scales):
        row(
            "ingest, proposed path (see below), items/s",
            [cell(ing[s]["proposed_items_per_s"], 0) for s in scales],
        )
        row(
            "ingest time, proposed / read_json",
            [
                f"{ing[s]['proposed_seconds']['median'] / ing[s]['read_json_seconds']['median']:.2f}"
                for s in scales
            ],
            "≤ 2",
        )
    row("ingest: peak RSS (Store), MB", [cell(ing[s]["store_peak_rss_mb"], 0) for s in scales])
    cr = {s: results[s]["crawl"] for s in scales}
    row(
        "full crawl: requests / minimum",
        [f"{cr[s]['full_requests']} / {cr[s]['minimum_requests']}" for s in scales],
    )
    row("**full crawl ÷ minimum**", [f"**{cr[s]['ratio']:.3f}**" for s in scales], "≤ 1.1")
    row(
        "**unchanged refresh: requests / rate-limited (non-304)**",
        [f"{cr[s]['refresh_requests']} / **{cr[s]['refresh_rate_limited']}**" for s in scales],
        "0",
    )
    row("crawl: peak RSS, MB", [_fmt(cr[s]["peak_rss_mb"], 0) for s in scales])
    return head + "\n".join(rows) + "\n"


def profile(results: dict[str, dict]) -> str:
    scales = [s for s in ("small", "large") if s in results and "profile" in results[s]["metrics"]]
    if not scales:
        return ""
    steps = [k for k in results[scales[-1]]["metrics"]["profile"] if k not in ("total",)]
    cols = []
    for s in scales:
        cols.append(f"DuckDB {s}")
        if "steps" in results[s].get("postgres", {}):
            cols.append(f"PostgreSQL {s}")
    out = "| step (s) | " + " | ".join(cols) + " |\n|---|" + "---:|" * len(cols) + "\n"
    for step in [*steps, "total"]:
        values = []
        for s in scales:
            values.append(_fmt(results[s]["metrics"]["profile"].get(step, 0.0), 2))
            pg = results[s].get("postgres", {}).get("steps")
            if pg is not None:
                values.append(_fmt(pg[step], 2) if step in pg else "—")
        out += f"| {step} | " + " | ".join(values) + " |\n"
    return out


def growth(results: dict[str, dict]) -> str:
    if not {"small", "large"} <= set(results):
        return ""
    s, g = results["small"], results["large"]

    def line(label, a, b, digits=1):
        return f"| {label} | {_fmt(a, digits)} | {_fmt(b, digits)} | {b / a:.1f}× |\n"

    out = "| | small | large | large ÷ small |\n|---|---:|---:|---:|\n"
    out += line(
        "contributions", s["metrics"]["rows"]["contributions"], g["metrics"]["rows"]["contributions"], 0
    )
    out += line("DuckDB build, s", s["metrics"]["seconds"]["median"], g["metrics"]["seconds"]["median"], 2)
    out += line("DuckDB CPU, s", s["metrics"]["cpu_s"]["median"], g["metrics"]["cpu_s"]["median"], 1)
    out += line(
        "DuckDB peak RSS, MB", s["metrics"]["peak_rss_mb"]["median"], g["metrics"]["peak_rss_mb"]["median"], 0
    )
    if "seconds" in s.get("postgres", {}) and "seconds" in g.get("postgres", {}):
        out += line(
            "PostgreSQL build, s", s["postgres"]["seconds"]["median"], g["postgres"]["seconds"]["median"]
        )
        out += line("PostgreSQL load, s", s["postgres"]["load_seconds"], g["postgres"]["load_seconds"])
    out += line("generation, s", s["generate"]["seconds"], g["generate"]["seconds"])
    return out


def crawl(results: dict[str, dict]) -> str:
    r = next(iter(results.values()))["crawl"]
    out = "| endpoint family | full crawl | minimum | unchanged refresh (all 304) |\n|---|---:|---:|---:|\n"
    for family, v in r["by_endpoint"].items():
        out += f"| {family} | {v['full']} | {v['minimum']} | {v['refresh']} |\n"
    out += f"| **total** | **{r['full_requests']}** | **{r['minimum_requests']}** | **{r['refresh_requests']}** |\n"
    return out


def variants(workdir: Path, results: dict[str, dict]) -> str:
    """DuckDB builds measured with `--sql <folder>` (a SQL change before making it), beside the shipped build."""
    out = ""
    for scale in ("small", "large"):
        for path in sorted(workdir.glob(f"results-{scale}-*.json")) if scale in results else []:
            p, m = json.loads(path.read_text())["metrics"], results[scale]["metrics"]
            if not out:
                out = "| scale | SQL | all metric views, s | CPU, s | peak RSS, MB |\n|---|---|---:|---:|---:|\n"
            name = path.stem.removeprefix(f"results-{scale}-")
            for label, x in (("shipped sql/", m), (f"--sql {name}", p)):
                out += (f"| {scale} | {label} | {cell(x['seconds'], 2)} | {cell(x['cpu_s'], 1)} | "
                        f"{cell(x['peak_rss_mb'], 0)} |\n")  # fmt: skip
    return out


def chart(results: dict[str, dict], path: Path) -> bool:
    """Build time and peak memory against contributions, DuckDB and PostgreSQL, log-log, as a PNG."""
    try:
        import altair as alt
        import vl_convert
    except ImportError:
        return False
    import polars as pl

    rows = []
    for scale, r in results.items():
        n = r["metrics"]["rows"]["contributions"]
        rows.append({"contributions": n, "engine": "DuckDB", "what": "build time, s (median)",
                     "value": r["metrics"]["seconds"]["median"], "scale": scale})  # fmt: skip
        rows.append({"contributions": n, "engine": "DuckDB", "what": "peak memory, MB",
                     "value": r["metrics"]["peak_rss_mb"]["median"], "scale": scale})  # fmt: skip
        if "seconds" in r.get("postgres", {}):
            rows.append({"contributions": n, "engine": "PostgreSQL 15", "what": "build time, s (median)",
                         "value": r["postgres"]["seconds"]["median"], "scale": scale})  # fmt: skip
            rows.append({"contributions": n, "engine": "PostgreSQL 15", "what": "peak memory, MB",
                         "value": r["postgres"]["server_peak_pss_mb"]["median"], "scale": scale})  # fmt: skip
    base = alt.Chart(pl.DataFrame(rows)).encode(
        x=alt.X(
            "contributions:Q",
            scale=alt.Scale(type="log"),
            title="contributions",
            axis=alt.Axis(format="~s", values=[1e5, 3e5, 1e6, 3e6, 1e7]),
        ),
        y=alt.Y("value:Q", scale=alt.Scale(type="log"), title=None),
        color=alt.Color("engine:N", title=None),
    )
    layered = base.mark_line() + base.mark_point(filled=True) + base.mark_text(dy=-10).encode(text="scale:N")
    figure = (
        layered.properties(width=300, height=220)
        .facet(column=alt.Column("what:N", title=None), title="Metric build: cost against scale (log-log)")
        .resolve_scale(y="independent")
    )
    path.write_bytes(vl_convert.vegalite_to_png(figure.to_json(), scale=1))
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__)
    default = Path(os.environ.get("VITALS_BENCH_DIR", Path(tempfile.gettempdir()) / "vitals-bench"))
    parser.add_argument("--workdir", type=Path, default=default)
    parser.add_argument("--chart", type=Path, help="also draw the growth chart into this PNG")
    args = parser.parse_args(argv)
    results = {}
    for scale in ("tiny", "small", "large"):
        path = args.workdir / f"results-{scale}.json"
        if path.exists():
            results[scale] = json.loads(path.read_text())
    for title, text in (("Figures", figures(results)), ("Per step", profile(results)),
                        ("Growth", growth(results)), ("Crawl", crawl(results)),
                        ("Measured SQL changes (--sql)", variants(args.workdir, results))):  # fmt: skip
        print(f"### {title}\n\n{text}")
    if args.chart and chart(results, args.chart):
        print(f"![Metric build cost against scale]({args.chart.name})\n")
    for scale, r in results.items():
        print(
            f"{scale}: `{r['summary']}` (1-minute load average {r['load_average_start'][0]:.1f} at the start, "
            f"{r['load_average_end'][0]:.1f} at the end)"
        )


if __name__ == "__main__":
    main()
