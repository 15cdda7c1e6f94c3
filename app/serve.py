"""`./vitals scorecard`: `streamlit run app/scorecard.py`, with the libraries the app reads data with imported
before the server starts, so the first visitor after start-up does not wait for them (about 1 s here; pandas,
which Streamlit imports the first time it sends a table, 0.3 s of it).

    python -m app.serve [streamlit run options]
"""

from __future__ import annotations

import sys
from pathlib import Path

import altair  # noqa: F401  (charts)
import duckdb  # noqa: F401
import pandas  # noqa: F401  (imported by Streamlit the first time a table is sent)
import polars  # noqa: F401
import pyarrow  # noqa: F401  (st.dataframe's transport)
from streamlit.web import cli

import app.data  # noqa: F401  (the app's own modules: the database reader, the settings)
import pipelines.config  # noqa: F401

SCRIPT = Path(__file__).resolve().parent / "scorecard.py"


def main(argv: list[str] | None = None) -> int:
    sys.argv = ["streamlit", "run", str(SCRIPT), *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
