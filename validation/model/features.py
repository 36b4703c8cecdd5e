"""The values a model learns from: every field and derived feature of a product, read from a data file.

Derived features are computed by the same SQL the simulation runs (the rule language's emitter), so a
characteristic trained on `debt_to_sales` sees exactly the values a decision will see.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pyarrow as pa

from product_specs import CheckedSpec
from product_specs.sections import FieldType

__all__ = ["feature_frame", "scorable", "ModelDataError"]

_CAST = {FieldType.INTEGER: "BIGINT", FieldType.NUMBER: "DOUBLE", FieldType.BOOLEAN: "BOOLEAN",
         FieldType.CATEGORY: "VARCHAR", FieldType.STRING: "VARCHAR"}


class ModelDataError(ValueError):
    """Data a model cannot be trained, calibrated or judged on (missing column, no outcomes...)."""


def scorable(checked: CheckedSpec) -> dict[str, str]:
    """Every name a scorecard may score, with its kind (`numeric` or `category`), in spec order."""
    out = {}
    for name, symbol in checked.scope.items():
        if symbol.type == "number":
            out[name] = "numeric"
        elif symbol.categories is not None:
            out[name] = "category"
    return out


def feature_frame(checked: CheckedSpec, data, extra: Sequence[str] = ()) -> pd.DataFrame:
    """Fields, derived features and the `extra` columns (outcome, id) of every row of `data` (a path, Arrow
    table or pandas frame). Raises ModelDataError when a field or an extra column is missing."""
    from sqlglot import exp

    from generators.decision import decision_connection
    from generators.sql.emitter import SqlEmitter, column
    from validation.analysis.simulate import SimulationError, read_applicants

    spec = checked.spec
    fields = [f.name for f in spec.fields]
    text = [f.name for f in spec.fields if f.type in (FieldType.CATEGORY, FieldType.STRING)]
    try:
        table = read_applicants(data, [*fields, *extra], [*text, *[c for c in extra if c not in fields]])
    except SimulationError as err:
        raise ModelDataError(str(err)) from None
    missing = [c for c in [*fields, *extra] if c not in table.column_names]
    missing = [c for c in missing if c in extra or _required_for_model(checked, c)]
    if missing:
        raise ModelDataError(f"the data has no column(s): {', '.join(missing)}")
    for f in spec.fields:  # free-text fields absent from the data are not needed to learn
        if f.name not in table.column_names:
            table = table.append_column(f.name, pa.nulls(table.num_rows, pa.string()))
    names: dict[str, exp.Expression] = {
        f.name: exp.TryCast(this=column(f.name), to=exp.DataType.build(_CAST[f.type])) for f in spec.fields}
    select = exp.select(*[exp.alias_(e.copy(), n, quoted=True) for n, e in names.items()],
                        *[column(c) for c in extra if c not in names]).from_("ls_source")
    for name, checked_expr in checked.derived:
        value = SqlEmitter(checked_expr, names).emit()
        select = exp.select(exp.Star(), exp.alias_(value, name, quoted=True)).from_(select.subquery("ls_prev"))
        names[name] = column(name)
    con = decision_connection()
    try:
        con.register("ls_source", table)
        return con.execute(select.sql(dialect="duckdb")).df()
    finally:
        con.close()


def _required_for_model(checked: CheckedSpec, name: str) -> bool:
    field = checked.spec.field_map().get(name)
    return field is not None and field.type is not FieldType.STRING
