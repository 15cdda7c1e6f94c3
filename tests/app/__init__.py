"""Tests of the Streamlit scorecard and the scoring rules."""
