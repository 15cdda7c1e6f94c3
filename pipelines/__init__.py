"""Vitals: Dagster definitions, the GitHub client and the crawl."""
