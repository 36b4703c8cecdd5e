"""Emit a checked rule as a sqlglot expression tree (rendered for DuckDB or Spark by the caller).

SQL's own three-valued logic gives the null semantics of docs/rules.md; the few places where SQL
differs are spelled out here: division by zero -> NULLIF, numbers (literals and numeric columns) as
DOUBLE, round as in DuckDB.
"""

from __future__ import annotations

from decimal import Decimal

from sqlglot import exp

from generators.emitter import Emitter
from product_specs.rules import (
    NUMBER,
    Between,
    Binary,
    Call,
    CheckedExpr,
    InList,
    IsNull,
    Literal,
    Name,
    Unary,
)

__all__ = ["SqlEmitter", "to_sql_tree", "sql_number", "column"]

_BINARY = {"=": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE,
           "+": exp.Add, "-": exp.Sub, "*": exp.Mul, "and": exp.And, "or": exp.Or}
_COMPARISONS = frozenset(("=", "!=", "<", "<=", ">", ">="))
_EXACT = 2**53  # every whole number below this is exact as a double


def sql_number(value: Decimal | int | float) -> exp.Expression:
    """A numeric literal typed DOUBLE, matching the Python backend's float arithmetic."""
    return exp.cast(exp.Literal.number(format(Decimal(str(value)), "f")), exp.DataType.Type.DOUBLE)


def column(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def _is_double(value: exp.Expression) -> bool:
    return isinstance(value, exp.Cast) and value.to.this == exp.DataType.Type.DOUBLE


class SqlEmitter(Emitter[exp.Expression]):
    """A checked rule as a sqlglot expression tree."""

    def _literal(self, node: Literal) -> exp.Expression:
        value = node.value
        if value is None:
            return exp.Null()
        if isinstance(value, bool):
            return exp.Boolean(this=value)
        if isinstance(value, Decimal):
            return sql_number(value)
        return exp.Literal.string(value)

    def _name(self, node: Name) -> exp.Expression:
        value = self.names[node.name].copy()
        if self.checked.info(node).type != NUMBER or _is_double(value):
            return value
        # numbers are doubles: an integer column would otherwise do BIGINT arithmetic, which overflows
        return exp.cast(value, exp.DataType.Type.DOUBLE)

    def _unary(self, node: Unary) -> exp.Expression:
        inner = exp.paren(self.emit(node.operand), copy=False)
        return exp.Not(this=inner) if node.op == "not" else exp.Neg(this=inner)

    def _whole_number_side(self, node) -> exp.Expression | None:
        """An integer column as it is (no cast to DOUBLE), or a whole-number literal as an integer; else None."""
        if isinstance(node, Name):
            value = self.names[node.name]
            if isinstance(value, exp.Cast) and value.to.this == exp.DataType.Type.BIGINT:
                return value.copy()
        elif isinstance(node, Literal) and isinstance(node.value, Decimal) \
                and node.value == node.value.to_integral_value() and abs(node.value) < _EXACT:
            return exp.Literal.number(int(node.value))
        return None

    def _binary(self, node: Binary) -> exp.Expression:
        if node.op in _COMPARISONS:
            # an integer column compared with a whole number compares integers: no cast of the column per row,
            # and exact, as Python's int comparison is
            sides = [self._whole_number_side(n) for n in (node.left, node.right)]
            if all(s is not None for s in sides) and any(isinstance(n, Name) for n in (node.left, node.right)):
                return _BINARY[node.op](this=sides[0], expression=sides[1])
        left = exp.paren(self.emit(node.left), copy=False)
        right = exp.paren(self.emit(node.right), copy=False)
        if node.op == "/":
            return exp.Div(this=left, expression=exp.Nullif(this=right, expression=sql_number(0)))
        return _BINARY[node.op](this=left, expression=right)

    def _inlist(self, node: InList) -> exp.Expression:
        inner = exp.In(this=exp.paren(self.emit(node.operand), copy=False),
                       expressions=[self.emit(v) for v in node.values])
        return exp.Not(this=exp.paren(inner, copy=False)) if node.negated else inner

    def _between(self, node: Between) -> exp.Expression:
        x, low, high = (exp.paren(self.emit(n), copy=False) for n in (node.operand, node.low, node.high))
        inner = exp.Between(this=x, low=low, high=high)
        return exp.Not(this=exp.paren(inner, copy=False)) if node.negated else inner

    def _isnull(self, node: IsNull) -> exp.Expression:
        inner = exp.Is(this=exp.paren(self.emit(node.operand), copy=False), expression=exp.Null())
        return exp.Not(this=exp.paren(inner, copy=False)) if node.negated else inner

    def _call(self, node: Call) -> exp.Expression:
        args = [self.emit(a) for a in node.args]
        name = node.name
        if name == "if":
            return exp.Case(ifs=[exp.If(this=args[0], true=args[1])], default=args[2])
        if name == "coalesce":
            return exp.Coalesce(this=args[0], expressions=args[1:])
        if name in ("min", "max"):
            cls = exp.Least if name == "min" else exp.Greatest
            return cls(this=args[0], expressions=args[1:], ignore_nulls=True)
        if name == "round":
            digits = int(node.args[1].value) if len(args) == 2 else 0
            return exp.Round(this=args[0], decimals=exp.Literal.number(digits))
        return {"abs": exp.Abs, "floor": exp.Floor, "ceil": exp.Ceil}[name](this=args[0])


def to_sql_tree(checked: CheckedExpr, names: dict[str, exp.Expression] | None = None) -> exp.Expression:
    """The sqlglot tree of `checked`; `names` maps rule names to SQL expressions (default: quoted columns)."""
    names = names if names is not None else {n: column(n) for n in checked.names}
    return SqlEmitter(checked, names).emit()
