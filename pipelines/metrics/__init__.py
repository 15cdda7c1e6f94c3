"""Metrics domain in Dagster: the metric views built from the raw GitHub tables, and their checks."""

from pipelines.metrics.assets import asset_checks, assets, metric_views

__all__ = ["asset_checks", "assets", "metric_views"]
