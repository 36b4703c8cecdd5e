"""The rule language's syntax tree: small immutable node classes, one per construct."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "Node", "Literal", "Name", "Unary", "Binary", "InList", "Between", "IsNull", "Call",
    "COMPARISONS", "ARITHMETIC", "LOGICAL", "FUNCTIONS", "walk",
]

COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
ARITHMETIC = ("+", "-", "*", "/")
LOGICAL = ("and", "or")
# name -> (min args, max args)
FUNCTIONS = {
    "min": (2, 8), "max": (2, 8), "abs": (1, 1), "round": (1, 2), "floor": (1, 1),
    "ceil": (1, 1), "coalesce": (2, 8), "if": (3, 3),
}


@dataclass(frozen=True)
class Node:
    pos: int


@dataclass(frozen=True)
class Literal(Node):
    """A number (Decimal), a string, a boolean or null (value None)."""

    value: Decimal | str | bool | None


@dataclass(frozen=True)
class Name(Node):
    """A reference to a declared field or derived feature."""

    name: str


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "not" or "-"
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class InList(Node):
    operand: Node
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class Between(Node):
    operand: Node
    low: Node
    high: Node
    negated: bool


@dataclass(frozen=True)
class IsNull(Node):
    operand: Node
    negated: bool


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]


def walk(node: Node):
    """Yield the node and every node below it."""
    yield node
    if isinstance(node, Unary):
        yield from walk(node.operand)
    elif isinstance(node, Binary):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, InList):
        yield from walk(node.operand)
        for value in node.values:
            yield from walk(value)
    elif isinstance(node, Between):
        yield from walk(node.operand)
        yield from walk(node.low)
        yield from walk(node.high)
    elif isinstance(node, IsNull):
        yield from walk(node.operand)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from walk(arg)
