"""The CSV form of a view, shared by the csv_reports asset and the scorecard's download buttons so both give
the same bytes: UTF-8 with a header row, ISO-8601 dates, UTC timestamps, nested values flattened."""

from __future__ import annotations

from typing import IO

import polars as pl

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # every timestamp in the database is UTC


def flatten(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV has no nested values: lists become `; `-joined text, structs JSON."""
    exprs = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List | pl.Array):
            exprs.append(pl.col(name).cast(pl.List(pl.String)).list.join("; ").alias(name))
        elif isinstance(dtype, pl.Struct):
            exprs.append(pl.col(name).struct.json_encode().alias(name))
    return frame.with_columns(exprs) if exprs else frame


def write_csv(frame: pl.DataFrame, file: IO[bytes] | None = None) -> str | None:
    """The frame (already in report order) as CSV: into `file`, or returned as text when there is none."""
    return flatten(frame).write_csv(file, date_format=DATE_FORMAT, datetime_format=DATETIME_FORMAT)
