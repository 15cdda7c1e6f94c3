"""Reports domain in Dagster: the CSV files written under reports/<as_of>/ on every run."""

from pipelines.reports.assets import assets, csv_reports

__all__ = ["assets", "csv_reports"]
