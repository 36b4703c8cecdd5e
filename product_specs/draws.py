"""What a spec's sample-data declarations mean for the order fields are drawn in: which fields each one
needs first (`depends_on`, `ratio_to`, `applies_when`, relations), and the bound each relation puts on
the field on its left. Read by the checks (cycles, relation shapes) and by the sample-data generator.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import RuleError
from .rules import NUMBER, CheckedExpr
from .rules.ast import Between, Binary, Call, InList, IsNull, Literal, Name, Node, Unary, walk
from .rules.parser import parse
from .sections import FieldType
from .spec import ProductSpec

__all__ = ["Bound", "render", "relation_bounds", "draw_inputs", "draw_order", "rule_names", "NUMERIC"]

NUMERIC = (FieldType.INTEGER, FieldType.NUMBER)
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_EXAMPLE = "write the field it constrains on the left, e.g. 'years_farming <= age - 16'"


@dataclass(frozen=True)
class Bound:
    """One bound a relation puts on a field: `field op expr`, with `expr` over fields drawn before it."""

    field: str
    op: str  # < <= > >= =
    expr: CheckedExpr
    relation: int  # index in population.relations

    @property
    def text(self) -> str:
        return f"{self.field} {self.op} {render(self.expr.node)}"


def render(node: Node) -> str:
    """Rule text of a syntax tree (for display: sub-expressions of a relation)."""
    if isinstance(node, Literal):
        value = node.value
        if value is None or isinstance(value, bool):
            return str(value).lower()
        return f"'{value}'" if isinstance(value, str) else format(value, "f")
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Unary):
        return f"not {_wrap(node.operand)}" if node.op == "not" else f"-{_wrap(node.operand)}"
    if isinstance(node, Binary):
        return f"{_wrap(node.left)} {node.op} {_wrap(node.right)}"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(render(a) for a in node.args)})"
    if isinstance(node, Between):
        word = "not between" if node.negated else "between"
        return f"{_wrap(node.operand)} {word} {_wrap(node.low)} and {_wrap(node.high)}"
    if isinstance(node, InList):
        word = "not in" if node.negated else "in"
        return f"{_wrap(node.operand)} {word} ({', '.join(render(v) for v in node.values)})"
    if isinstance(node, IsNull):
        return f"{_wrap(node.operand)} is {'not ' if node.negated else ''}null"
    raise TypeError(type(node).__name__)


def _wrap(node: Node) -> str:
    text = render(node)
    return f"({text})" if isinstance(node, (Binary, Between, InList, IsNull)) else text


def _sub(expr: CheckedExpr, node: Node) -> CheckedExpr:
    info = expr.info(node)
    names = tuple(dict.fromkeys(n.name for n in walk(node) if isinstance(n, Name)))
    return CheckedExpr(expr.text, node, info.type, info.nullable, expr.types, names)


def relation_bounds(expr: CheckedExpr, index: int, numeric_fields: set[str]) -> list[Bound]:
    """The bounds of a typed relation; RuleError (with the offending position) when it has another shape."""
    return list(_bounds(expr, expr.node, index, numeric_fields))


def _bounds(expr: CheckedExpr, node: Node, index: int, numeric: set[str]):
    if isinstance(node, Binary) and node.op == "and":
        yield from _bounds(expr, node.left, index, numeric)
        yield from _bounds(expr, node.right, index, numeric)
        return
    if isinstance(node, Between) and not node.negated:
        target = _target(node.operand, numeric, node.pos)
        for op, side in ((">=", node.low), ("<=", node.high)):
            yield _bound(expr, target, op, side, index)
        return
    if isinstance(node, Binary) and node.op in ("<", "<=", ">", ">=", "="):
        if not isinstance(node.left, Name) and isinstance(node.right, Name):
            hint = f"write it as '{node.right.name} {_FLIP.get(node.op, node.op)} ...'"
            raise RuleError("a relation starts with the field it constrains", node.left.pos, hint)
        target = _target(node.left, numeric, node.pos)
        yield _bound(expr, target, node.op, node.right, index)
        return
    raise RuleError("a relation compares one field with an expression (<, <=, >, >=, = or between), "
                    "joined with 'and'", node.pos, _EXAMPLE)


def _target(node: Node, numeric: set[str], pos: int) -> str:
    if not isinstance(node, Name):
        raise RuleError("a relation starts with the field it constrains", getattr(node, "pos", pos), _EXAMPLE)
    if node.name not in numeric:
        raise RuleError(f"{node.name!r} is not a numeric field: relations bound numbers", node.pos,
                        "use distribution.applies_when for fields that exist only for some applicants")
    return node.name


def _bound(expr: CheckedExpr, target: str, op: str, side: Node, index: int) -> Bound:
    sub = _sub(expr, side)
    if sub.type != NUMBER:
        raise RuleError(f"{target!r} is compared with a {sub.type}, not a number", side.pos)
    if target in sub.names:
        raise RuleError(f"{target!r} appears on both sides", side.pos, _EXAMPLE)
    return Bound(target, op, sub, index)


def rule_names(text: str | None) -> list[str]:
    """Names a rule reads, from its syntax alone ([] when it does not parse: the checks report that)."""
    if not text:
        return []
    try:
        node = parse(text)
    except RuleError:
        return []
    return list(dict.fromkeys(n.name for n in walk(node) if isinstance(n, Name)))


def draw_inputs(spec: ProductSpec) -> dict[str, list[str]]:
    """Per field, the other fields of the data dictionary it is drawn from (in declaration order)."""
    fields = {f.name for f in spec.fields}
    needs: dict[str, list[str]] = {f.name: [] for f in spec.fields}
    for f in spec.fields:
        d = f.distribution
        if d is None:
            continue
        names = [dep.field for dep in d.depends_on] + ([d.ratio_to] if d.ratio_to else [])
        names += rule_names(d.applies_when)
        needs[f.name] += names
    for text in (spec.population.relations if spec.population else []):
        names = rule_names(text)
        for target, others in _relation_links(text, names):
            if target in needs:
                needs[target] += others
    return {name: list(dict.fromkeys(n for n in ns if n in fields and n != name)) for name, ns in needs.items()}


def _relation_links(text: str, names: list[str]):
    """(field on the left, fields on the right) of each comparison in a relation, from its syntax."""
    try:
        node = parse(text)
    except RuleError:
        return
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, Binary) and node.op == "and":
            stack += [node.left, node.right]
        elif isinstance(node, Between) and isinstance(node.operand, Name):
            yield node.operand.name, [n for n in names if n != node.operand.name]
        elif isinstance(node, Binary) and isinstance(node.left, Name):
            yield node.left.name, [n.name for n in walk(node.right) if isinstance(n, Name)]


def draw_order(spec: ProductSpec) -> tuple[list[str], list[str]]:
    """(fields in the order sample data draws them, a cycle of fields if the links go round in a circle).

    A field comes after every field it needs and otherwise keeps its place in the data dictionary.
    """
    needs = draw_inputs(spec)
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done
    for f in spec.fields:
        cycle = _visit(f.name, needs, state, order, [])
        if cycle:
            return order, cycle
    return order, []


def _visit(name: str, needs, state, order, path) -> list[str]:
    if state.get(name) == 2:
        return []
    if state.get(name) == 1:
        return path[path.index(name):] + [name]
    state[name] = 1
    for other in needs.get(name, []):
        cycle = _visit(other, needs, state, order, path + [name])
        if cycle:
            return cycle
    state[name] = 2
    order.append(name)
    return []
