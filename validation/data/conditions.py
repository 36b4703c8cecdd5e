"""Evaluate typed rules (a field's `applies_when`, the bounds of relations) over the columns drawn so far,
with the rule language's SQL backend in DuckDB: the same semantics as decisions, nulls included, and no
user text ever executed as code."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from generators.sql.emitter import to_sql_tree
from product_specs.rules import CheckedExpr
from product_specs.sections import FieldType

__all__ = ["Evaluator"]

_TABLE = "ls_drawn"


class Evaluator:
    """Rules over one chunk's drawn columns, in one DuckDB connection (close() when done)."""

    def __init__(self):
        import duckdb

        self.con = duckdb.connect()
        self._sql: dict[int, str] = {}

    def close(self) -> None:
        self.con.close()

    def values(self, expr: CheckedExpr, columns: dict, fields: dict, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(values, nulls) of `expr` on every row; `columns` maps field names to drawn Columns."""
        arrays = {name: _arrow(fields[name].type, columns[name]) for name in expr.names}
        if not arrays:
            arrays = {"ls_rows": pa.nulls(n, pa.int8())}
        table = pa.table(arrays)
        key = id(expr)
        if key not in self._sql:
            self._sql[key] = f"SELECT {to_sql_tree(expr).sql(dialect='duckdb')} AS v FROM {_TABLE}"
        self.con.register(_TABLE, table)
        try:
            result = self.con.sql(self._sql[key]).to_arrow_table().column("v").combine_chunks()
        finally:
            self.con.unregister(_TABLE)
        nulls = result.is_null().to_numpy(zero_copy_only=False)
        if pa.types.is_boolean(result.type):
            return result.fill_null(False).to_numpy(zero_copy_only=False), nulls
        return result.cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False), nulls

    def holds(self, expr: CheckedExpr, columns: dict, fields: dict, n: int) -> np.ndarray:
        """Rows where a condition is true (null counts as not true)."""
        values, nulls = self.values(expr, columns, fields, n)
        return np.asarray(values, dtype=bool) & ~nulls


def _arrow(kind: FieldType, column) -> pa.Array:
    mask = column.nulls
    if kind is FieldType.INTEGER:
        return pa.array(np.where(mask, 0, column.values).astype(np.int64), mask=mask)
    if kind is FieldType.NUMBER:
        return pa.array(np.asarray(column.values, dtype=float), mask=mask)
    if kind is FieldType.BOOLEAN:
        return pa.array(np.asarray(column.values, dtype=bool), mask=mask)
    return pa.array(np.asarray(column.values, dtype=object), type=pa.string(), mask=mask)
