"""The sensor that notices new or changed files in the local conformance results folder."""

import json

import dagster as dg

from pipelines.config import ConfigError, load_settings
from pipelines.conformance import store


def changes(before: dict[str, list[int]], now: dict[str, list[int]]) -> dict[str, list[str]]:
    return {
        "added": sorted(set(now) - set(before)),
        "changed": sorted(p for p in set(now) & set(before) if now[p] != before[p]),
        "removed": sorted(set(before) - set(now)),
    }


@dg.sensor(
    name="conformance_results_sensor",
    target=dg.AssetSelection.assets("conformance").downstream(),
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def conformance_results_sensor(context: dg.SensorEvaluationContext):
    """Runs the conformance asset and everything downstream when VITALS_CONFORMANCE_DIR gains, changes or loses
    a file. The cursor is the folder listing: path -> [mtime_ns, size]."""
    try:
        folder = load_settings().conformance_dir
    except ConfigError as exc:
        return dg.SkipReason(f"settings: {exc}")
    if folder is None:
        return dg.SkipReason("VITALS_CONFORMANCE_DIR is not set")
    now = store.listing(folder)
    cursor = json.dumps(now, sort_keys=True, separators=(",", ":"))
    if context.cursor == cursor:
        return dg.SkipReason(f"no new or changed files in {folder}")
    before = json.loads(context.cursor) if context.cursor else {}
    context.update_cursor(cursor)
    if not now and not before:
        return dg.SkipReason(f"{folder} holds no conformance files yet")
    diff = changes(before, now)
    summary = ", ".join(f"{len(v)} {k}" for k, v in diff.items() if v)
    # No run_key: the cursor already stops repeats, and a folder changed back to an earlier state must run again.
    return dg.RunRequest(
        tags={"vitals/trigger": "conformance_results", "vitals/conformance_changes": summary},
    )
