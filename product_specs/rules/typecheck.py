"""Type-check a parsed rule against the data dictionary: every name declared, every operator on the
right types, every category literal one the field can hold. Records each node's type and nullability,
which the emitters use (a never-null comparison compiles to a plain Python comparison)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import RuleError
from .ast import ARITHMETIC, COMPARISONS, Between, Binary, Call, InList, IsNull, Literal, Name, Node, Unary
from .parser import parse

__all__ = ["NUMBER", "STRING", "BOOLEAN", "NULL", "Symbol", "CheckedExpr", "typecheck", "compile_rule",
           "did_you_mean"]

NUMBER, STRING, BOOLEAN, NULL = "number", "string", "boolean", "null"


@dataclass(frozen=True)
class Symbol:
    """What a rule may know about a name: its type, whether it can be null, its allowed categories."""

    type: str
    nullable: bool
    categories: tuple[str, ...] | None = None
    derived: bool = False


@dataclass(frozen=True)
class TypeInfo:
    type: str
    nullable: bool


@dataclass
class CheckedExpr:
    """A parsed and type-checked rule: the tree, its result type and the type of every node."""

    text: str
    node: Node
    type: str
    nullable: bool
    types: dict[int, TypeInfo] = field(repr=False)
    names: tuple[str, ...] = ()

    def info(self, node: Node) -> TypeInfo:
        return self.types[id(node)]


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`."""
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if prev2 is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, prev2[j - 2] + 1)
            row.append(cost)
        prev2, prev = prev, row
    return prev[-1]


def _allowed_edits(word: str) -> int:
    return 0 if len(word) <= 2 else 1 if len(word) <= 5 else 2 if len(word) <= 10 else 3


def _words(name: str) -> set[str]:
    return {w for w in name.lower().split("_") if len(w) >= 3}


def did_you_mean(word: str, choices) -> str:
    """`did you mean 'x'?` for a real choice close to `word`, or nothing: same letters in another case,
    a few typing edits away (also as an abbreviation: `ovredue_count` -> `overdue_count_24m`), or sharing
    a whole word and most letters (`days_overdue` -> `days_past_due`). Never a guess from nothing."""
    choices = sorted(str(c) for c in choices)
    same_but_case = [c for c in choices if c.lower() == word.lower()]  # 'b' -> 'B'
    if same_but_case:
        return f"did you mean {same_but_case[0]!r}?"
    allowed = _allowed_edits(word)
    scored = []
    for c in choices:
        edits = min(_distance(word, c), _distance(word, c[:len(word)]) if len(word) >= 4 else allowed + 1)
        if edits <= allowed:
            scored.append((edits, -difflib.SequenceMatcher(None, word, c).ratio(), c))
    if not scored:
        shared = [c for c in choices if _words(word) & _words(c)]
        close = difflib.get_close_matches(word, shared, n=1, cutoff=0.6)
        return f"did you mean {close[0]!r}?" if close else ""
    return f"did you mean {min(scored)[2]!r}?"


class _Checker:
    def __init__(self, scope: dict[str, Symbol]):
        self.scope = scope
        self.types: dict[int, TypeInfo] = {}
        self.names: list[str] = []

    def check(self, node: Node) -> TypeInfo:
        info = getattr(self, "_" + type(node).__name__.lower())(node)
        self.types[id(node)] = info
        return info

    def _literal(self, node: Literal) -> TypeInfo:
        value = node.value
        if value is None:
            return TypeInfo(NULL, True)
        if isinstance(value, bool):
            return TypeInfo(BOOLEAN, False)
        if isinstance(value, Decimal):
            return TypeInfo(NUMBER, False)
        return TypeInfo(STRING, False)

    def _name(self, node: Name) -> TypeInfo:
        symbol = self.scope.get(node.name)
        if symbol is None:
            raise RuleError(f"unknown field {node.name!r}", node.pos, did_you_mean(node.name, self.scope))
        if node.name not in self.names:
            self.names.append(node.name)
        return TypeInfo(symbol.type, symbol.nullable)

    def _want(self, node: Node, info: TypeInfo, want: str, what: str) -> None:
        if info.type not in (want, NULL):
            raise RuleError(f"{what} needs a {want}, got a {info.type}", node.pos)

    def _unary(self, node: Unary) -> TypeInfo:
        info = self.check(node.operand)
        if node.op == "not":
            self._want(node.operand, info, BOOLEAN, "'not'")
            return TypeInfo(BOOLEAN, info.nullable)
        self._want(node.operand, info, NUMBER, "'-'")
        return TypeInfo(NUMBER, info.nullable)

    def _binary(self, node: Binary) -> TypeInfo:
        left, right = self.check(node.left), self.check(node.right)
        nullable = left.nullable or right.nullable
        if node.op in ("and", "or"):
            self._want(node.left, left, BOOLEAN, f"'{node.op}'")
            self._want(node.right, right, BOOLEAN, f"'{node.op}'")
            return TypeInfo(BOOLEAN, nullable)
        if node.op in ARITHMETIC:
            self._want(node.left, left, NUMBER, f"'{node.op}'")
            self._want(node.right, right, NUMBER, f"'{node.op}'")
            if node.op == "/" and not (isinstance(node.right, Literal) and node.right.value):
                nullable = True  # division by zero gives null
            return TypeInfo(NUMBER, nullable)
        assert node.op in COMPARISONS
        if NULL in (left.type, right.type):
            raise RuleError(f"'{node.op} null' is never true", node.pos, "write 'is null' or 'is not null'")
        if left.type != right.type:
            raise RuleError(f"cannot compare a {left.type} with a {right.type}", node.pos)
        if node.op not in ("=", "!=") and left.type != NUMBER:
            raise RuleError(f"'{node.op}' compares numbers only, not {left.type}s", node.pos)
        self._category(node.left, [node.right])
        self._category(node.right, [node.left])
        return TypeInfo(BOOLEAN, nullable)

    def _category(self, name: Node, literals) -> None:
        if not isinstance(name, Name):
            return
        categories = self.scope[name.name].categories
        if categories is None:
            return
        for lit in literals:
            if isinstance(lit, Literal) and isinstance(lit.value, str) and lit.value not in categories:
                raise RuleError(f"{name.name!r} has no category {lit.value!r}", lit.pos,
                                did_you_mean(lit.value, categories) or "categories: " + ", ".join(categories))

    def _inlist(self, node: InList) -> TypeInfo:
        operand = self.check(node.operand)
        for value in node.values:
            info = self.check(value)
            if operand.type != NULL and info.type != operand.type:
                raise RuleError(f"list value of type {info.type} does not match a {operand.type}", value.pos)
        self._category(node.operand, node.values)
        return TypeInfo(BOOLEAN, operand.nullable)

    def _between(self, node: Between) -> TypeInfo:
        infos = [self.check(n) for n in (node.operand, node.low, node.high)]
        for child, info in zip((node.operand, node.low, node.high), infos, strict=True):
            self._want(child, info, NUMBER, "'between'")
        return TypeInfo(BOOLEAN, any(i.nullable for i in infos))

    def _isnull(self, node: IsNull) -> TypeInfo:
        self.check(node.operand)
        return TypeInfo(BOOLEAN, False)

    def _call(self, node: Call) -> TypeInfo:
        infos = [self.check(arg) for arg in node.args]
        if node.name == "if":
            self._want(node.args[0], infos[0], BOOLEAN, "if()'s condition")
            return self._same(node, infos[1:], any(i.nullable for i in infos[1:]))
        if node.name == "coalesce":
            return self._same(node, infos, all(i.nullable for i in infos))
        for arg, info in zip(node.args, infos, strict=True):
            self._want(arg, info, NUMBER, f"{node.name}()")
        if node.name == "round" and len(node.args) == 2:
            digits = node.args[1]
            if not (isinstance(digits, Literal) and isinstance(digits.value, Decimal)
                    and digits.value == int(digits.value) and 0 <= digits.value <= 6):
                raise RuleError("round()'s second argument must be a whole number from 0 to 6", digits.pos)
            return TypeInfo(NUMBER, infos[0].nullable)
        if node.name in ("min", "max"):
            return TypeInfo(NUMBER, all(i.nullable for i in infos))
        return TypeInfo(NUMBER, infos[0].nullable)

    def _same(self, node: Call, infos: list[TypeInfo], nullable: bool) -> TypeInfo:
        kinds = {i.type for i in infos} - {NULL}
        if len(kinds) > 1:
            raise RuleError(f"{node.name}() mixes " + " and ".join(sorted(kinds)), node.pos)
        return TypeInfo(kinds.pop() if kinds else NULL, nullable)


def typecheck(text: str, node: Node, scope: dict[str, Symbol], want: str | None = None) -> CheckedExpr:
    """Check `node` (parsed from `text`) against `scope`; `want` is the required result type."""
    checker = _Checker(scope)
    info = checker.check(node)
    if want is not None and info.type not in (want, NULL):
        raise RuleError(f"expected a {want} expression, got a {info.type}", 0,
                        "a condition compares values, e.g. 'age >= 22'" if want == BOOLEAN else "")
    return CheckedExpr(text, node, info.type, info.nullable, checker.types, tuple(checker.names))


def compile_rule(text: str, scope: dict[str, Symbol], want: str | None = None) -> CheckedExpr:
    """Parse and type-check in one step."""
    try:
        node = parse(text)
    except RuleError as err:
        if err.name is not None:  # an upper-case name: suggest a real field, never just the name in lower case
            err.hint = did_you_mean(err.name.lower(), scope) or "field names are lower case; no field is called that"
        raise
    return typecheck(text, node, scope, want)
