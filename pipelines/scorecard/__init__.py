"""Scorecard domain in Dagster: the grade tables the Streamlit app reads."""

from pipelines.scorecard.assets import assets, scorecard

__all__ = ["assets", "scorecard"]
