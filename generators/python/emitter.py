"""Emit a checked rule as a Python expression.

One method per node class. Never-null subtrees compile to plain Python operators; nullable ones call
the helpers of `runtime.py`. Literals are emitted with `repr`, names through a caller-supplied map, so
no user text reaches the source except as a quoted literal.
"""

from __future__ import annotations

import math
from decimal import Decimal

from generators.emitter import Emitter
from product_specs.rules import Between, Binary, Call, CheckedExpr, InList, IsNull, Literal, Name, Unary

__all__ = ["PythonEmitter", "to_python", "py_number"]

_PLAIN = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "+": "+", "-": "-", "*": "*"}
_HELPER = {"=": "_eq", "!=": "_ne", "<": "_lt", "<=": "_le", ">": "_gt", ">=": "_ge",
           "+": "_add", "-": "_sub", "*": "_mul", "/": "_div", "and": "_and", "or": "_or"}


def py_number(value: Decimal | int | float) -> str:
    """Every number is a double in the decision semantics; emit it as a float literal."""
    number = float(value)
    if not math.isfinite(number):  # `check` refuses such specs; never emit a bare `inf` name
        raise ValueError(f"{value} is not a finite number")
    return repr(number)


class PythonEmitter(Emitter[str]):
    """A checked rule as Python source."""

    def _literal(self, node: Literal) -> str:
        if isinstance(node.value, Decimal):
            return py_number(node.value)
        return repr(node.value)

    def _name(self, node: Name) -> str:
        return self.names[node.name]

    def _unary(self, node: Unary) -> str:
        inner = self.emit(node.operand)
        if self._nullable(node.operand):
            return f"{'_not' if node.op == 'not' else '_neg'}({inner})"
        return f"(not {inner})" if node.op == "not" else f"(-{inner})"

    def _binary(self, node: Binary) -> str:
        left, right = self.emit(node.left), self.emit(node.right)
        safe_division = isinstance(node.right, Literal) and node.right.value
        if node.op == "/" and not (safe_division and not self._nullable(node.left)):
            if isinstance(node.right, Name) and not self._nullable(node.left):
                # inline on the hot path; a null or zero divisor gives null, as `_div` does
                return f"({left} / {right} if {right} else None)"
            return f"_div({left}, {right})"
        if self._nullable(node.left, node.right):
            return f"{_HELPER[node.op]}({left}, {right})"
        if node.op in ("=", "!=") and any(isinstance(n, Literal) and isinstance(n.value, bool)
                                          for n in (node.left, node.right)):
            return f"({left} {'is' if node.op == '=' else 'is not'} {right})"  # booleans are singletons
        return f"({left} {_PLAIN.get(node.op, node.op)} {right})"

    def _inlist(self, node: InList) -> str:
        values = "{" + ", ".join(self.emit(v) for v in node.values) + "}"
        operand = self.emit(node.operand)
        if self._nullable(node.operand):
            # a tuple of constants is folded into one constant; a set argument would be built per call
            items = [self.emit(v) for v in node.values]
            constant = "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
            return f"{'_not_in' if node.negated else '_in'}({operand}, {constant})"
        return f"({operand} {'not in' if node.negated else 'in'} {values})"

    def _between(self, node: Between) -> str:
        x, low, high = (self.emit(n) for n in (node.operand, node.low, node.high))
        if self._nullable(node.operand, node.low, node.high):
            inner = f"_between({x}, {low}, {high})"
            return f"_not({inner})" if node.negated else inner
        inner = f"({low} <= {x} <= {high})"
        return f"(not {inner})" if node.negated else inner

    def _isnull(self, node: IsNull) -> str:
        if not self._nullable(node.operand):
            # never null: a constant. `(1.0 + 2.0) is None` would also make Python warn when compiling.
            return repr(node.negated)
        return f"({self.emit(node.operand)} is {'not ' if node.negated else ''}None)"

    def _call(self, node: Call) -> str:
        args = [self.emit(a) for a in node.args]
        if node.name == "if":
            return f"({args[1]} if {args[0]} else {args[2]})"
        plain = not self._nullable(*node.args)
        if node.name == "round":
            digits = int(node.args[1].value) if len(node.args) == 2 else 0
            return f"_round({args[0]}, {digits})"
        if node.name == "coalesce" and len(args) == 2 and isinstance(node.args[0], Name):
            return f"({args[0]} if {args[0]} is not None else {args[1]})"
        if plain and node.name in ("min", "max", "abs"):
            return f"{node.name}({', '.join(args)})"
        return f"_{node.name}({', '.join(args)})"


def to_python(checked: CheckedExpr, names: dict[str, str] | None = None) -> str:
    """Python source of `checked`; `names` maps rule names to Python expressions (default: same)."""
    names = names if names is not None else {n: n for n in checked.names}
    return PythonEmitter(checked, names).emit()
