"""daily_refresh: crawl every project partition once a day (downstream views follow by automation)."""

import datetime as dt

import dagster as dg

from pipelines.github.assets import crawl_assets
from pipelines.github.partitions import project_partitions

crawl_job = dg.define_asset_job("crawl_projects", selection=dg.AssetSelection.assets(*crawl_assets))


@dg.schedule(cron_schedule="0 5 * * *", job=crawl_job, execution_timezone="UTC")
def daily_refresh(context: dg.ScheduleEvaluationContext):
    day = (context.scheduled_execution_time or dt.datetime.now(dt.UTC)).date().isoformat()
    for key in project_partitions.get_partition_keys():
        yield dg.RunRequest(run_key=f"{key}-{day}", partition_key=key)


schedules = [daily_refresh]
jobs = [crawl_job]
