"""Null-aware helpers that generated Python carries verbatim (standard library only).

They implement the semantics of docs/rules.md: three-valued logic, null-propagating arithmetic and
comparison, division by zero giving null, min/max/coalesce skipping nulls, round half away from zero
(on the exact binary value, as DuckDB's ROUND).
The generated module embeds this file's source, so a generated service never imports the studio.
"""

import math


def _not(a):
    return None if a is None else not a


def _and(a, b):
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _or(a, b):
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def _eq(a, b):
    return None if a is None or b is None else a == b


def _ne(a, b):
    return None if a is None or b is None else a != b


def _lt(a, b):
    return None if a is None or b is None else a < b


def _le(a, b):
    return None if a is None or b is None else a <= b


def _gt(a, b):
    return None if a is None or b is None else a > b


def _ge(a, b):
    return None if a is None or b is None else a >= b


def _in(a, values):
    return None if a is None else a in values


def _not_in(a, values):
    return None if a is None else a not in values


def _between(a, low, high):
    return _and(_ge(a, low), _le(a, high))


def _neg(a):
    return None if a is None else -a


def _add(a, b):
    return None if a is None or b is None else a + b


def _sub(a, b):
    return None if a is None or b is None else a - b


def _mul(a, b):
    return None if a is None or b is None else a * b


def _div(a, b):
    return None if a is None or b is None or b == 0 else a / b


def _min(*args):
    present = [a for a in args if a is not None]
    return min(present) if present else None


def _max(*args):
    present = [a for a in args if a is not None]
    return max(present) if present else None


def _coalesce(*args):
    for a in args:
        if a is not None:
            return a
    return None


def _abs(a):
    return None if a is None else abs(a)


def _floor(a):
    # an overflowed (infinite) value passes through, as in SQL, instead of raising
    return None if a is None else float(math.floor(a)) if math.isfinite(a) else a


def _ceil(a):
    return None if a is None else float(math.ceil(a)) if math.isfinite(a) else a


def _round(a, digits=0):
    """Half away from zero on the exact value of the double, as DuckDB's ROUND does."""
    if a is None:
        return None
    scale = 10.0**digits
    scaled = abs(a) * scale
    if not scaled < 4503599627370496.0:  # 2**52: every double there is whole (also inf and nan)
        result = a * scale / scale
        return result if math.isfinite(result) else a
    whole = math.floor(scaled)
    if abs(scaled - whole - 0.5) <= scaled * 4.5e-16:
        # the rounded product is too close to a tie to say which side the exact value is on: ask integers
        numerator, denominator = abs(a).as_integer_ratio()
        up = 2 * (numerator * 10**digits - whole * denominator) >= denominator
    else:
        up = scaled - whole >= 0.5
    return math.copysign((whole + up) / scale, a)


def runtime_source() -> str:
    """The source a generated module carries: every top-level definition of this file below its imports,
    up to (not including) this function. Standard library imports are the generated module's own."""
    import ast
    import inspect
    import sys

    text = inspect.getsource(sys.modules[__name__])
    tree = ast.parse(text)
    parts = [ast.get_source_segment(text, node, padded=True) for node in tree.body
             if not isinstance(node, ast.Import | ast.ImportFrom | ast.Expr)
             and getattr(node, "name", None) != "runtime_source"]
    return "\n\n\n".join(parts)
