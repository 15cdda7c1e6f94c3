"""The pipeline benchmark: scale data, metric builds in DuckDB and PostgreSQL, ingest, crawl cost, memory."""
