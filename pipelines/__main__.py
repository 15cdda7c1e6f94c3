"""`python -m pipelines [materialize|refresh]`: materialise every asset, each project partition in turn.

The README's first command runs this. Runs are recorded in the Dagster instance under .dagster/, so
`dagster dev` shows them afterwards.
"""

from __future__ import annotations

import os
import sys
import time

from pipelines.config import ROOT, ConfigError, load_settings


def main(argv: list[str]) -> int:
    os.environ.setdefault("DAGSTER_HOME", str(ROOT))
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"vitals: {exc}", file=sys.stderr)
        return 2
    import dagster as dg

    from pipelines.definitions import all_assets, defs
    from pipelines.github.assets import crawl_assets
    from pipelines.github.partitions import project_partitions

    if settings.replay:
        print("vitals: no GITHUB_TOKEN set: replaying the recorded fixtures (fixtures/cassettes), no network")
    else:
        print(f"vitals: live crawl of {settings.api_url}")
    print(f"vitals: database {settings.db_path}, as_of {settings.as_of}")
    resources = defs.resources
    quiet = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    instance = dg.DagsterInstance.get()
    started = time.monotonic()
    crawl_keys = {a.key for a in crawl_assets}
    for partition in project_partitions.get_partition_keys():
        print(f"vitals: crawling {partition}")
        result = dg.materialize(
            all_assets, selection=dg.AssetSelection.assets(*crawl_keys) - dg.AssetSelection.assets("projects_registry"),
            partition_key=partition, instance=instance, resources=resources, raise_on_error=False,
            run_config=quiet,
        )  # fmt: skip
        if not result.success:
            return _failed(result)
    print("vitals: building registry, conformance and metric views")
    rest = dg.AssetSelection.all() - dg.AssetSelection.assets(*crawl_keys)
    result = dg.materialize(all_assets, selection=rest, instance=instance, resources=resources,
                            raise_on_error=False, run_config=quiet)  # fmt: skip
    if not result.success:
        return _failed(result)
    print(
        f"vitals: done in {time.monotonic() - started:.0f}s; try: .venv/bin/duckdb {settings.db_path} -c 'from crawl_log'"
    )
    return 0


def _failed(result) -> int:
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            message = error.message.strip().splitlines()[-1] if error else "step failed"
            print(f"vitals: {event.step_key} failed: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
