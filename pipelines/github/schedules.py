"""daily_refresh: crawl every project partition once a day (downstream views follow by automation)."""

import datetime as dt

import dagster as dg

from pipelines.github.assets import crawl_assets
from pipelines.github.partitions import project_partitions
from pipelines.github.tokens import run_tags

crawl_job = dg.define_asset_job(
    "crawl_projects",
    selection=dg.AssetSelection.assets(*crawl_assets),
    # each partition's run carries the label of the token it spends, for the run coordinator's
    # per-token limit (deploy/postgres/dagster.yaml); backfills launched from the UI get it too
    config=dg.PartitionedConfig(
        partitions_def=project_partitions,
        run_config_for_partition_key_fn=lambda key: {},
        tags_for_partition_key_fn=lambda key: run_tags(key),
    ),
)


@dg.schedule(cron_schedule="0 5 * * *", job=crawl_job, execution_timezone="UTC")
def daily_refresh(context: dg.ScheduleEvaluationContext):
    day = (context.scheduled_execution_time or dt.datetime.now(dt.UTC)).date().isoformat()
    for key in project_partitions.get_partition_keys():
        yield dg.RunRequest(run_key=f"{key}-{day}", partition_key=key, tags=run_tags(key))


schedules = [daily_refresh]
jobs = [crawl_job]
