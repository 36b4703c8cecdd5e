"""The Great Expectations suite of a product, evaluated where the data is: DuckDB SQL over Parquet, CSV or a
DuckDB table, without pulling rows into pandas.

Steps: checks (`expectations.field_checks`) -> the GX suite (`expectations.expectation_suite`, the declared
form) -> each expectation compiled to SQL aggregates (sqlglot, identifiers quoted) -> one scan counting every
check's unexpected rows -> one small query per failed check for its first examples -> a GX
`ExpectationValidationResult` per expectation, filled as GX's pandas engine fills it (unexpected_count,
unexpected_percent, partial_unexpected_list, observed_value, exception_info) -> the same `DataReport`.

Why not GX's own SQL engine: validating a DuckDB table through it is broken with duckdb-engine
(shared/DESIGN.md). Memory is bounded by DuckDB's `memory_limit` (it spills to a temporary folder).

Values mean what the pandas route makes of them: NaN is empty; a column of the wrong type is judged value
by value (a text column of a number field: the values that do not read as a finite number); a column with
no values passes its type check (its not-null or null-rate check speaks for it).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlglot import exp

from validation.data.data_files import DataFileError, check_columns, check_data_file, first_line

__all__ = ["SqlSource", "open_source", "open_table", "with_helpers", "evaluate", "MEMORY_LIMIT"]

MEMORY_LIMIT = "1GB"
"""DuckDB's memory while checking; past it, it spills to a temporary folder."""
EXAMPLE_ROWS = 20  # as GX's partial_unexpected_count
_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?\Z")
_VIEW = "ls_data"
# the strings pandas.read_csv reads as empty: a CSV means the same through either route
_CSV_NULLS = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
              "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT", "UHUGEINT"}
_FLOAT_TYPES = {"FLOAT", "DOUBLE"}


@dataclass(frozen=True)
class SqlSource:
    """An open DuckDB connection with the data as the view `ls_data`, and the data's column types."""

    con: object
    types: dict[str, str]  # column -> DuckDB type name
    name: str
    table: exp.Table  # what the checks read FROM


def _table_of(name: str) -> exp.Table:
    return exp.Table(this=exp.to_identifier(name.split(".")[-1], quoted=True),
                     db=exp.to_identifier(name.split(".")[0], quoted=True) if "." in name else None)


@contextmanager
def open_source(source, text_columns: tuple[str, ...] = ()) -> Iterator[SqlSource]:
    """The data of a `.parquet`/`.pq`/`.csv` path or `duckdb:FILE:TABLE` as a view in DuckDB.

    Raises DataFileError when the source cannot be read (as `data_files.read_data`)."""
    import duckdb

    text = str(source)
    scratch = tempfile.mkdtemp(prefix="loanstudio-checks-")
    con = None
    try:
        if text.startswith("duckdb:"):
            con, relation, table = _duckdb_table(text, scratch)
        else:
            path = check_data_file(Path(text))
            con = _connection(duckdb, scratch)
            relation, table = _file_relation(con, path, text, text_columns), _VIEW
            relation.create_view(_VIEW)
        check_columns(relation.columns, text)
        types = {name: str(kind) for name, kind in zip(relation.columns, relation.types, strict=True)}
        yield SqlSource(con, types, text, _table_of(table))
    except duckdb.Error as err:
        raise DataFileError(f"{text}: cannot be read ({type(err).__name__}: {first_line(err)})") from None
    finally:
        if con is not None:
            con.close()
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def open_table(table, name: str = "<table>") -> Iterator[SqlSource]:
    """An Arrow table (in memory, e.g. a simulation's decisions) as the view `ls_data` in DuckDB."""
    import duckdb

    scratch = tempfile.mkdtemp(prefix="loanstudio-checks-")
    con = _connection(duckdb, scratch)
    try:
        relation = con.from_arrow(table)
        relation.create_view(_VIEW)
        types = {column: str(kind) for column, kind in zip(relation.columns, relation.types, strict=True)}
        yield SqlSource(con, types, name, _table_of(_VIEW))
    finally:
        con.close()
        shutil.rmtree(scratch, ignore_errors=True)


def with_helpers(source: SqlSource, rules) -> SqlSource:
    """The source with each consistency rule's helper column (validation.data.row_checks) added, as a view."""
    from validation.data.row_checks import helper_select

    select = helper_select(rules, source.types, source.table)
    source.con.execute(f"CREATE OR REPLACE TEMP VIEW ls_checked AS {select.sql(dialect='duckdb')}")
    relation = source.con.table("ls_checked")
    types = {name: str(kind) for name, kind in zip(relation.columns, relation.types, strict=True)}
    return SqlSource(source.con, types, source.name, _table_of("ls_checked"))


def _connection(duckdb, scratch: str, database: str = ":memory:", read_only: bool = False):
    config = {"memory_limit": MEMORY_LIMIT, "temp_directory": scratch, "autoinstall_known_extensions": False,
              "autoload_known_extensions": False}
    return duckdb.connect(database, read_only=read_only, config=config)


def _file_relation(con, path: Path, text: str, text_columns: tuple[str, ...]):
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return con.read_parquet(str(path))
    if suffix in (".csv", ".txt"):
        header = con.read_csv(str(path), header=True, all_varchar=True).columns
        check_columns(header, text)
        return con.read_csv(str(path), header=True, na_values=_CSV_NULLS,
                            dtype={c: "VARCHAR" for c in text_columns if c in header})
    raise DataFileError(f"{text}: unknown data format {suffix or '(no extension)'!r}; "
                        "use .parquet, .csv or duckdb:FILE:TABLE")


def _duckdb_table(text: str, scratch: str):
    import duckdb

    rest = text[len("duckdb:"):]
    if ":" not in rest:
        raise DataFileError(f"{text}: expected duckdb:FILE:TABLE")
    file, table = rest.rsplit(":", 1)
    if not _TABLE.match(table):
        raise DataFileError(f"{text}: {table!r} is not a table name")
    check_data_file(Path(file), "DuckDB file")
    con = _connection(duckdb, scratch, file, read_only=True)
    try:
        return con, con.table(table), table
    except duckdb.Error:
        con.close()
        raise


# --- compiling expectations ---------------------------------------------------------------------------------

def _kind(duck_type: str) -> str:
    base = duck_type.split("(")[0].upper()
    if base in _INTEGER_TYPES:
        return "integer"
    if base in _FLOAT_TYPES:
        return "float"
    if base == "DECIMAL":
        return "decimal"
    if base == "BOOLEAN":
        return "boolean"
    if base == "VARCHAR":
        return "text"
    return "other"


def _value(column: str, kind: str) -> exp.Expression:
    """The column as the checks see it: NaN is empty, as in pandas."""
    col = exp.column(column, quoted=True)
    if kind == "float":
        return exp.Case(ifs=[exp.If(this=exp.Anonymous(this="isnan", expressions=[col.copy()]), true=exp.Null())],
                        default=col)
    return col


def _number_text(value: exp.Expression) -> exp.Expression:
    return exp.TryCast(this=exp.Trim(this=value), to=exp.DataType.build("DOUBLE"))


def _finite(value: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="isfinite", expressions=[value])


def _not_of_type(field_type: str, value: exp.Expression, kind: str) -> exp.Expression | None:
    """True on a non-empty value that is not of `field_type` (as `expectations._VALUE_TESTS`); None when
    every value of a column of this kind is of the type."""
    if field_type in ("integer", "number"):
        if kind == "integer":
            return None
        if kind in ("float", "decimal"):
            if field_type == "number":
                return None  # a float column is a number column (an infinite value fails the range check)
            whole = exp.EQ(this=value.copy(), expression=exp.Floor(this=value.copy()))
            return exp.Not(this=exp.paren(exp.and_(_finite(value.copy()), whole), copy=False))
        if kind == "text":
            number = _number_text(value.copy())
            fine = exp.and_(exp.Not(this=exp.Is(this=number.copy(), expression=exp.Null())), _finite(number.copy()))
            if field_type == "integer":
                fine = exp.and_(fine, exp.EQ(this=number.copy(), expression=exp.Floor(this=number.copy())))
            return exp.Not(this=exp.paren(fine, copy=False))
        return exp.true()
    if field_type == "boolean":
        if kind == "boolean":
            return None
        if kind == "text":
            words = [exp.Literal.string(w) for w in ("true", "false", "0", "1")]
            return exp.Not(this=exp.In(this=exp.Lower(this=exp.Trim(this=value.copy())), expressions=words))
        return exp.true()
    return None if kind == "text" else exp.true()  # category and string: text


@dataclass
class _Compiled:
    """One expectation as SQL: the rows it looks at, the unexpected ones among them, the examples shown."""

    expectation: object
    check: object
    domain: exp.Expression | None = None  # rows the expectation is about (None: every row)
    unexpected: exp.Expression | None = None
    example: exp.Expression | None = None  # the value shown for an unexpected row
    element_count: bool = False  # counts relative to every row in the domain (not-null checks)
    mostly: float = 1.0
    error: str = ""
    observed: str = ""
    success: bool | None = None  # decided without counting (column exists, type of a clean column)
    count: int = 0  # unexpected rows
    elements: int = 0  # rows in the domain


def _compile(expectation, check, types: dict[str, str], table: exp.Table) -> _Compiled:
    column = check.column or check.field
    out = _Compiled(expectation, check)
    kwargs = expectation.configuration.kwargs
    if check.when is not None:
        when_column, values = check.when
        if when_column not in types:
            out.error = f"The column \"{when_column}\" in BatchData does not exist."
            return out
        out.domain = exp.In(this=exp.column(when_column, quoted=True),
                            expressions=[exp.Literal.string(v) for v in values])
    if check.expectation == "expect_column_to_exist":
        out.success = column in types
        return out
    if column not in types:
        out.error = f"The column \"{column}\" in BatchData does not exist."
        return out
    kind = _kind(types[column])
    value = _value(column, kind)
    present = exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))
    out.example = exp.column(column, quoted=True)
    name = check.expectation
    if name == "expect_column_values_to_be_in_type_list":
        out.observed = types[column]
        bad = _not_of_type(check.field_type, value, kind)
        if bad is None:
            out.success = True
        else:
            out.unexpected = exp.and_(present, exp.paren(bad, copy=False))
    elif name == "expect_column_values_to_not_be_null":
        out.unexpected = exp.Is(this=value, expression=exp.Null())
        out.element_count = True
        out.mostly = kwargs.get("mostly") or 1.0
    elif name == "expect_column_values_to_be_null":
        out.unexpected = present
        out.element_count = True
    elif name == "expect_column_values_to_be_between":
        if kind not in ("integer", "float", "decimal"):
            out.error = f"values of {column} ({types[column]}) cannot be compared with numbers"
            return out
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        outside = [exp.LT(this=value.copy(), expression=_literal(low))] if low is not None else []
        outside += [exp.GT(this=value.copy(), expression=_literal(high))] if high is not None else []
        out.unexpected = exp.and_(present, exp.paren(exp.or_(*outside), copy=False))
    elif name == "expect_column_values_to_be_in_set":
        values = [exp.Literal.string(str(v)) for v in kwargs["value_set"]]
        unknown = exp.Not(this=exp.In(this=value.copy(), expressions=values)) if kind == "text" else exp.true()
        out.unexpected = exp.and_(present, exp.paren(unknown, copy=False))
    elif name == "expect_column_values_to_be_unique":
        repeated = exp.select(value.copy()).from_(table.copy()).where(present.copy()).group_by(value.copy()).having(
            exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1)))
        out.unexpected = exp.and_(present, exp.In(this=value.copy(), query=repeated.subquery()))
    else:
        raise ValueError(f"{check.id}: {name} has no SQL form")  # never skipped silently
    return out


def _literal(value) -> exp.Expression:
    return exp.cast(exp.Literal.number(repr(float(value)) if isinstance(value, float) else str(value)),
                    exp.DataType.Type.DOUBLE)


def _count_if(condition: exp.Expression) -> exp.Expression:
    return exp.Sum(this=exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))],
                                 default=exp.Literal.number(0)))


# --- evaluating -----------------------------------------------------------------------------------------------

def evaluate(suite, checks, source: SqlSource) -> tuple[int, dict]:
    """(rows, {check id: GX ExpectationValidationResult}) of `suite` on the source, in one scan plus one
    small query per failed check."""
    from great_expectations.core import ExpectationValidationResult

    from validation.data.expectations import META_KEY

    by_id = {c.id: c for c in checks}
    compiled = [_compile(e, by_id[e.meta[META_KEY]], source.types, source.table) for e in suite.expectations]
    counted = [c for c in compiled if c.unexpected is not None]
    aggregates = [exp.Count(this=exp.Star())]
    for c in counted:
        aggregates.append(_count_if(exp.and_(c.domain.copy(), c.unexpected.copy()) if c.domain is not None
                                    else c.unexpected.copy()))
        aggregates.append(_count_if(c.domain.copy()) if c.domain is not None else exp.Count(this=exp.Star()))
    row = source.con.execute(exp.select(*aggregates).from_(source.table.copy()).sql(dialect="duckdb")).fetchone()
    rows = int(row[0])
    results = {}
    for i, c in enumerate(counted):
        c.count, c.elements = int(row[1 + 2 * i] or 0), int(row[2 + 2 * i] or 0)
    for c in compiled:
        results[c.check.id] = ExpectationValidationResult(
            success=_success(c), expectation_config=c.expectation.configuration, result=_result(c, source),
            exception_info=_exception(c.error))
    return rows, results


def _success(c: _Compiled) -> bool:
    if c.error:
        return False
    if c.success is not None:
        return c.success
    if c.elements == 0:
        return True
    return (c.elements - c.count) / c.elements >= c.mostly if c.element_count else c.count == 0


def _result(c: _Compiled, source: SqlSource) -> dict:
    if c.error or c.unexpected is None:
        return {"observed_value": c.observed} if c.observed else {}
    out = {"element_count": c.elements, "unexpected_count": c.count,
           "unexpected_percent": 100.0 * c.count / c.elements if c.elements else 0.0}
    if c.observed:
        out["observed_value"] = c.observed
    listed = not c.element_count or c.check.expectation == "expect_column_values_to_be_null"  # as GX lists them
    if c.count and not _success(c) and listed:
        where = exp.and_(c.domain.copy(), c.unexpected.copy()) if c.domain is not None else c.unexpected.copy()
        query = exp.select(c.example.copy()).from_(source.table.copy()).where(where).limit(EXAMPLE_ROWS)
        out["partial_unexpected_list"] = [r[0] for r in source.con.execute(query.sql(dialect="duckdb")).fetchall()]
    return out


def _exception(message: str) -> dict:
    if not message:
        return {"raised_exception": False, "exception_message": None, "exception_traceback": None}
    return {"raised_exception": True, "exception_message": message, "exception_traceback": None}
