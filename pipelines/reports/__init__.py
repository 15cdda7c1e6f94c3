"""Reports domain in Dagster: the CSV files written under reports/<as_of>/ on every run, and the Parquet
snapshot of the raw tables on object storage (when VITALS_OBJECT_STORE_URL is set)."""

from pipelines.reports.assets import csv_reports
from pipelines.reports.snapshot import raw_snapshot

assets = [csv_reports, raw_snapshot]

__all__ = ["assets", "csv_reports", "raw_snapshot"]
