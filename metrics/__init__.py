"""Vitals metric logic: the DuckDB helper, SQL runner, classification, conformance and scoring."""
