"""Read applicant data into a pandas frame: Parquet, CSV, or a DuckDB table (`duckdb:path.db:table`)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from product_specs import limits
from product_specs.errors import printable

__all__ = ["DataFileError", "read_data", "describe_source", "first_line", "check_data_file", "check_columns"]

_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?\Z")


class DataFileError(ValueError):
    """A data file cannot be read (missing, not Parquet/CSV/DuckDB, corrupt, unknown table)."""


def check_data_file(path: Path, what: str = "data file") -> Path:
    """`path` when it names a regular file within `limits.DATA_MAX_BYTES`; DataFileError otherwise."""
    try:
        path = limits.check_path(path, what)
        if not path.exists():
            raise DataFileError(f"{printable(str(path))}: no such {what}")
        if not path.is_file():
            raise DataFileError(f"{printable(str(path))}: is not a regular file (a folder, device or pipe)")
        size = path.stat().st_size
    except limits.InputRefused as err:
        raise DataFileError(printable(str(err))) from None
    except OSError as err:
        raise DataFileError(f"{printable(str(path))}: cannot read {what}: {err.strerror or err}") from None
    if size > limits.DATA_MAX_BYTES:
        raise DataFileError(f"{printable(str(path))}: {what} of {size:,} bytes is too large "
                            f"({limits.limit('data_bytes').hint})")
    return path


def check_columns(names, source) -> None:
    """DataFileError when a data source has more columns than `limits.DATA_MAX_COLUMNS`."""
    if len(names) > limits.DATA_MAX_COLUMNS:
        raise DataFileError(f"{printable(str(source))}: {len(names):,} columns is too many "
                            f"({limits.limit('data_columns').hint})")


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
        path = check_data_file(Path(text))
        suffix = path.suffix.lower()
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            check_columns(pq.read_schema(path).names, text)
            return pd.read_parquet(path)
        if suffix in (".csv", ".txt"):
            return pd.read_csv(path, dtype=dict.fromkeys(text_columns, "string"), low_memory=False)
        raise DataFileError(f"{text}: unknown data format {suffix or '(no extension)'!r}; "
                            "use .parquet, .csv or duckdb:FILE:TABLE")
    except DataFileError:
        raise
    except Exception as err:  # noqa: BLE001 - every reader failure means the same to a user: unreadable
        raise DataFileError(printable(f"{text}: cannot be read ({type(err).__name__}: {first_line(err)})")) from None


def _read_duckdb(text: str) -> pd.DataFrame:
    import duckdb

    rest = text[len("duckdb:"):]
    if ":" not in rest:
        raise DataFileError(f"{text}: expected duckdb:FILE:TABLE")
    file, table = rest.rsplit(":", 1)
    if not _TABLE.match(table):
        raise DataFileError(printable(f"{text}: {table!r} is not a table name"))
    check_data_file(Path(file), "DuckDB file")
    # read-only, and the database may not reach other files (no ATTACH, no read_csv of /etc/passwd)
    con = duckdb.connect(file, read_only=True, config={"enable_external_access": False})
    try:
        relation = con.table(table)
        check_columns(relation.columns, text)
        return relation.df()
    finally:
        con.close()


def first_line(err: Exception) -> str:
    """The first line of an error's message (engines print pages), at most 200 characters."""
    lines = str(err).strip().splitlines()
    return lines[0][:200] if lines else type(err).__name__
