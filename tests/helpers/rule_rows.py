"""Evaluate a rule over the rows of a frame with the rule language's SQL backend (a helper, not a test)."""

from __future__ import annotations

import duckdb
import numpy as np

from generators.sql.emitter import to_sql_tree
from product_specs import CheckedSpec
from product_specs.rules import BOOLEAN, compile_rule

__all__ = ["holds", "broken"]


def holds(checked: CheckedSpec, frame, text: str) -> np.ndarray:
    """Rows where a condition over the data dictionary's fields is true (null counts as not true)."""
    scope = {n: s for n, s in checked.scope.items() if not s.derived}
    sql = to_sql_tree(compile_rule(text, scope, BOOLEAN)).sql(dialect="duckdb")
    con = duckdb.connect()
    try:
        con.register("ls_frame", frame)
        values = con.execute(f"SELECT coalesce({sql}, false) AS v FROM ls_frame").fetchnumpy()["v"]
    finally:
        con.close()
    return np.asarray(values, dtype=bool)


def broken(checked: CheckedSpec, frame, relation: str) -> np.ndarray:
    """Rows that break a relation: it is false there (an empty value satisfies it, as in SQL)."""
    return holds(checked, frame, f"not ({relation})")
