"""CNCF AI Conformance in Dagster: the conformance asset, its checks and the local-results sensor."""

from pipelines.conformance.assets import conformance
from pipelines.conformance.checks import (
    conformance_tables_sound,
    crawled_submissions_valid,
    local_results_valid,
)
from pipelines.conformance.sensors import conformance_results_sensor

assets = [conformance]
asset_checks = [conformance_tables_sound, crawled_submissions_valid, local_results_valid]
sensors = [conformance_results_sensor]
