"""The rule language: parser, syntax tree and type checker (see docs/rules.md)."""

from .ast import Between, Binary, Call, InList, IsNull, Literal, Name, Node, Unary, walk
from .parser import IDENTIFIER, MAX_DEPTH, MAX_LENGTH, parse
from .typecheck import (
    BOOLEAN,
    NULL,
    NUMBER,
    STRING,
    CheckedExpr,
    Symbol,
    compile_rule,
    did_you_mean,
    typecheck,
)

__all__ = [
    "Between", "Binary", "Call", "InList", "IsNull", "Literal", "Name", "Node", "Unary", "walk",
    "IDENTIFIER", "MAX_DEPTH", "MAX_LENGTH", "parse",
    "BOOLEAN", "NULL", "NUMBER", "STRING", "CheckedExpr", "Symbol", "compile_rule", "did_you_mean", "typecheck",
]
