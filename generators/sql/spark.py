"""Render a decision query for Apache Spark with DuckDB's (and the Python module's) number semantics.

The query builder makes one sqlglot tree; DuckDB runs it as rendered. Spark SQL differs in three places
that a decision can reach, and `for_spark` rewrites exactly those nodes of a copy of the tree:

- ROUND: Spark rounds the double's shortest decimal text half up (2.675 -> 2.68); DuckDB and the Python
  module round the double's exact binary value half away from zero (2.675 is 2.67499999... -> 2.67). The
  rewrite computes the exact remainder with an error-free product (Dekker's two-product) in doubles.
- FLOOR / CEIL: Spark returns BIGINT (and fails on |x| >= 2**63); DuckDB returns the double. The rewrite
  floors whole-number range values and passes larger ones (already whole), infinities and NaN through.
- Numeric literals of more than 38 digits (the largest double in the input checks): Spark reads a plain
  literal as DECIMAL(38) at most, so they are written in exponent form, which Spark reads as a double.

Everything else (double division guarded by NULLIF, NaN ordered above every number and equal to itself,
null-skipping GREATEST/LEAST, CASE, IN, array concatenation, TRY_CAST) means the same in both engines;
the differential test in tests/validation/test_spark.py is what proves it, applicant by applicant.
The rewrite works with ANSI mode on (Spark 4's default) or off: nothing it emits can overflow a BIGINT.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from sqlglot import exp

__all__ = ["for_spark", "spark_round", "spark_floor"]

_WHOLE = 4503599627370496.0  # 2**52: every double at or above it is a whole number
_SPLIT = 134217729.0  # 2**27 + 1, Veltkamp's splitter for a 53-bit significand
_MAX_PLAIN_DIGITS = 38  # Spark's largest DECIMAL precision


def _double(value: float) -> exp.Expression:
    """A double literal that parses back to exactly `value` (shortest round-trip text)."""
    text = repr(float(value)).upper().replace("E+", "E")
    return exp.cast(exp.Literal.number(text), exp.DataType.Type.DOUBLE)


def _split(value: float) -> tuple[float, float]:
    """Veltkamp split of a double into a 26-bit high part and the rest (computed here, for constants)."""
    c = _SPLIT * value
    high = c - (c - value)
    return high, value - high


def _split_tree(value: exp.Expression) -> tuple[exp.Expression, exp.Expression]:
    """The Veltkamp split of a double expression, as SQL (each part exact, as in `_split`)."""
    c = exp.Mul(this=_double(_SPLIT), expression=exp.paren(value.copy(), copy=False))
    high = exp.Sub(this=c, expression=exp.paren(exp.Sub(this=c.copy(), expression=value.copy()), copy=False))
    low = exp.Sub(this=value.copy(), expression=exp.paren(high.copy(), copy=False))
    return high, low


def _p(value: exp.Expression) -> exp.Expression:
    return exp.paren(value, copy=False)


def _case(condition: exp.Expression, true: exp.Expression, false: exp.Expression) -> exp.Case:
    return exp.Case(ifs=[exp.If(this=condition, true=true)], default=false)


def spark_floor(value: exp.Expression, ceil: bool = False) -> exp.Expression:
    """FLOOR (or CEIL) returning a double, as DuckDB's does: whole doubles, infinities and NaN pass through."""
    fn = exp.Ceil if ceil else exp.Floor
    small = exp.LT(this=exp.Abs(this=value.copy()), expression=_double(_WHOLE))
    return _case(small, exp.cast(fn(this=value.copy()), exp.DataType.Type.DOUBLE), value.copy())


def spark_round(value: exp.Expression, digits: int) -> exp.Expression:
    """ROUND(value, digits) half away from zero on the exact value of the double (DuckDB's and Python's).

    With A = |value| and p = 10**digits: s = A * p rounded, w = floor(s), and err = A * p - s exactly
    (two-product). The exact A * p is at least w + 0.5 when (s - w - 0.5) + err >= 0: s - w and s - w - 0.5
    are exact near a tie, and a floating-point sum has the sign of the exact sum. Past 2**52 (and for
    infinities and NaN) value * p / p is returned when finite, else value, as DuckDB does.
    """
    scale = 10.0**digits
    magnitude = exp.Abs(this=value.copy())
    scaled = exp.Mul(this=magnitude.copy(), expression=_double(scale))
    whole = exp.cast(exp.Floor(this=scaled.copy()), exp.DataType.Type.DOUBLE)  # below 2**52 here: exact
    fraction = exp.Sub(this=_p(exp.Sub(this=scaled.copy(), expression=_p(whole.copy()))), expression=_double(0.5))
    a_high, a_low = _split_tree(magnitude)
    p_high, p_low = _split(scale)
    error = exp.Sub(this=_p(exp.Mul(this=_p(a_high.copy()), expression=_double(p_high))), expression=scaled.copy())
    for left, right in ((a_high, p_low), (a_low, p_high), (a_low, p_low)):
        if right:
            error = exp.Add(this=error, expression=exp.Mul(this=_p(left.copy()), expression=_double(right)))
    up = exp.GTE(this=exp.Add(this=_p(fraction), expression=_p(error)), expression=_double(0.0))
    rounded = exp.Div(this=_p(exp.Add(this=whole, expression=_case(up, _double(1.0), _double(0.0)))),
                      expression=_double(scale))
    signed = _case(exp.LT(this=value.copy(), expression=_double(0.0)), exp.Neg(this=_p(rounded.copy())), rounded)
    large = exp.Div(this=exp.Mul(this=_p(value.copy()), expression=_double(scale)), expression=_double(scale))
    finite = exp.LT(this=exp.Abs(this=large.copy()), expression=exp.cast(exp.Literal.string("Infinity"),
                                                                         exp.DataType.Type.DOUBLE))
    small = exp.LT(this=scaled.copy(), expression=_double(_WHOLE))
    return _case(small, signed, _case(finite, large, value.copy()))


def _bind(value: exp.Expression, body, names) -> exp.Expression:
    """`body(v)` with `value` computed once: element_at(transform(array(value), v -> body(v)), 1).

    Used for a ROUND inside another ROUND's argument, so that nesting does not multiply the text."""
    name = exp.to_identifier(next(names))
    lam = exp.Lambda(this=body(exp.column(name.copy())), expressions=[name])
    return exp.Anonymous(this="ELEMENT_AT", expressions=[
        exp.Anonymous(this="TRANSFORM", expressions=[exp.Array(expressions=[value]), lam]), exp.Literal.number(1)])


def _plain_digits(text: str) -> int:
    return len(text.replace("-", "").replace(".", "").lstrip("0"))


def for_spark(tree: exp.Expression) -> exp.Expression:
    """A copy of a decision query (or any rule tree) whose Spark rendering computes what DuckDB computes."""
    names = (f"ls_v{i}" for i in itertools.count(1))

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Round):
            digits = int(node.args["decimals"].name) if node.args.get("decimals") else 0
            value = node.this
            if any(n.meta.get(_ROUNDED) for n in value.walk()):
                out = _bind(value, lambda v: spark_round(v, digits), names)
            else:
                out = spark_round(value, digits)
            out.meta[_ROUNDED] = True
            return out
        if isinstance(node, (exp.Floor, exp.Ceil)) and not node.args.get("decimals"):
            return spark_floor(node.this, ceil=isinstance(node, exp.Ceil))
        if isinstance(node, exp.Literal) and not node.is_string and "E" not in node.name.upper() \
                and _plain_digits(node.name) > _MAX_PLAIN_DIGITS:
            return exp.Literal.number(repr(float(Decimal(node.name))).upper().replace("E+", "E"))
        return node

    return _post_order(tree.copy(), rewrite)


_ROUNDED = "ls_spark_round"  # meta mark of a rewritten ROUND: a ROUND around it binds its argument once


def _post_order(node: exp.Expression, fn) -> exp.Expression:
    """Apply `fn` to every node, children first; what `fn` returns is not visited again."""
    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expression):
            node.set(key, _post_order(value, fn))
        elif isinstance(value, list):
            node.set(key, [_post_order(v, fn) if isinstance(v, exp.Expression) else v for v in value])
    return fn(node)
