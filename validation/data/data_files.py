"""Read applicant data into a pandas frame: Parquet, CSV, or a DuckDB table (`duckdb:path.db:table`)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

__all__ = ["DataFileError", "read_data", "describe_source", "first_line"]

_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?\Z")


class DataFileError(ValueError):
    """A data file cannot be read (missing, not Parquet/CSV/DuckDB, corrupt, unknown table)."""


def describe_source(source) -> str:
    """A short name of a data source for reports."""
    return "<frame>" if isinstance(source, pd.DataFrame) else str(source)


def read_data(source, text_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a data source into a frame.

    Args:
        source: a DataFrame (returned as is), a `.parquet`/`.pq` or `.csv` path, or `duckdb:FILE:TABLE`.
        text_columns: columns a CSV file must read as text (so category codes like `01` stay text).

    Raises:
        DataFileError: the source cannot be read.
    """
    if isinstance(source, pd.DataFrame):
        return source
    text = str(source)
    try:
        if text.startswith("duckdb:"):
            return _read_duckdb(text)
        path = Path(text)
        if not path.is_file():
            raise DataFileError(f"{text}: no such file")
        suffix = path.suffix.lower()
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".csv", ".txt"):
            return pd.read_csv(path, dtype=dict.fromkeys(text_columns, "string"), low_memory=False)
        raise DataFileError(f"{text}: unknown data format {suffix or '(no extension)'!r}; "
                            "use .parquet, .csv or duckdb:FILE:TABLE")
    except DataFileError:
        raise
    except Exception as err:  # noqa: BLE001 - every reader failure means the same to a user: unreadable
        raise DataFileError(f"{text}: cannot be read ({type(err).__name__}: {first_line(err)})") from None


def _read_duckdb(text: str) -> pd.DataFrame:
    import duckdb

    rest = text[len("duckdb:"):]
    if ":" not in rest:
        raise DataFileError(f"{text}: expected duckdb:FILE:TABLE")
    file, table = rest.rsplit(":", 1)
    if not _TABLE.match(table):
        raise DataFileError(f"{text}: {table!r} is not a table name")
    if not Path(file).is_file():
        raise DataFileError(f"{file}: no such DuckDB file")
    con = duckdb.connect(file, read_only=True)
    try:
        return con.table(table).df()
    finally:
        con.close()


def first_line(err: Exception) -> str:
    """The first line of an error's message (engines print pages), at most 200 characters."""
    lines = str(err).strip().splitlines()
    return lines[0][:200] if lines else type(err).__name__
