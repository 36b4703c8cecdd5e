"""Parse rule text into the syntax tree. Only the whitelisted grammar of docs/rules.md is accepted.

Grammar, lowest precedence first::

    expr     := or
    or       := and ("or" and)*
    and      := not ("and" not)*
    not      := "not" not | compare
    compare  := sum [ cmp_op sum | [not] in "(" literal ("," literal)* ")"
                     | [not] between sum and sum | is [not] null ]
    sum      := product (("+" | "-") product)*
    product  := unary (("*" | "/") unary)*
    unary    := "-" unary | atom
    atom     := number | string | true | false | null | name | func "(" expr ("," expr)* ")" | "(" expr ")"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .. import limits
from ..errors import RuleError
from .ast import FUNCTIONS, Between, Binary, Call, InList, IsNull, Literal, Name, Node, Unary

__all__ = ["parse", "MAX_LENGTH", "MAX_DEPTH", "IDENTIFIER"]

MAX_LENGTH = limits.RULE_MAX_LENGTH
MAX_DEPTH = limits.RULE_MAX_DEPTH
MAX_STRING = limits.RULE_MAX_STRING
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*\Z")
KEYWORDS = {"and", "or", "not", "in", "between", "is", "null", "true", "false"}
_STRING_CHARS = re.compile(r"[\w \-.:/()+&@#,]*\Z")

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<number>[0-9]+(?:\.[0-9]+)?(?![\w.]))
  | (?P<string>'[^'\n\r]*')
  | (?P<word>[A-Za-z][A-Za-z0-9_]*)
  | (?P<op><=|>=|!=|<>|==|[=<>+\-*/(),])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # number string word op end
    text: str
    pos: int


def _tokens(text: str) -> list[Token]:
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            _refuse_char(text, pos)
        kind = match.lastgroup
        value = match.group()
        if kind == "string":
            body = value[1:-1]
            if len(body) > MAX_STRING:
                raise RuleError(f"string longer than {MAX_STRING} characters", pos)
            if not _STRING_CHARS.match(body):
                bad = next(c for c in body if not _STRING_CHARS.match(c))
                raise RuleError(f"character {bad!r} is not allowed inside a string", pos,
                                "strings hold letters, digits, spaces and - . : / ( ) + & @ # ,")
        if kind != "ws":
            out.append(Token(kind, value, pos))
        pos = match.end()
    out.append(Token("end", "", len(text)))
    return out


def _refuse_char(text: str, pos: int) -> None:
    char = text[pos]
    if char == '"':
        raise RuleError('double quotes are not allowed', pos, "write strings in single quotes: 'A'")
    if char == "'":
        raise RuleError("unterminated string", pos, "close the string with ' on the same line")
    if char in "0123456789":
        raise RuleError("malformed number", pos, "write numbers like 12 or 0.35")
    raise RuleError(f"unexpected character {char!r}", pos)


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.i = 0
        self.depth = 0

    # token helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def _is_kw(self, word: str, offset: int = 0) -> bool:
        tok = self.tokens[min(self.i + offset, len(self.tokens) - 1)]
        return tok.kind == "word" and tok.text.lower() == word

    def _is_op(self, op: str) -> bool:
        return self.tok.kind == "op" and self.tok.text == op

    def _next(self) -> Token:
        tok = self.tok
        self.i += 1
        return tok

    def _expect_op(self, op: str) -> Token:
        if not self._is_op(op):
            raise RuleError(f"expected '{op}' but found {self._describe()}", self.tok.pos)
        return self._next()

    def _describe(self) -> str:
        return "end of rule" if self.tok.kind == "end" else repr(self.tok.text)

    def _enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise RuleError(f"rule nested deeper than {MAX_DEPTH} levels", pos, "split it into derived features")

    # grammar
    def parse(self) -> Node:
        node = self.expr()
        if self.tok.kind != "end":
            raise RuleError(f"unexpected {self._describe()}", self.tok.pos, self._hint_trailing())
        return node

    def _hint_trailing(self) -> str:
        if self._is_op("*"):
            return "powers (**) are not part of the rule language"
        return "join conditions with 'and' or 'or'"

    def expr(self) -> Node:
        self._enter(self.tok.pos)
        try:
            return self.or_()
        finally:
            self.depth -= 1

    def or_(self) -> Node:
        node = self.and_()
        while self._is_kw("or"):
            pos = self._next().pos
            node = Binary(pos, "or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self._is_kw("and"):
            pos = self._next().pos
            node = Binary(pos, "and", node, self.not_())
        return node

    def not_(self) -> Node:
        if self._is_kw("not"):
            pos = self._next().pos
            self._enter(pos)
            try:
                return Unary(pos, "not", self.not_())
            finally:
                self.depth -= 1
        return self.compare()

    def compare(self) -> Node:
        left = self.sum_()
        tok = self.tok
        if tok.kind == "op" and tok.text in ("=", "==", "!=", "<>", "<", "<=", ">", ">="):
            self._next()
            op = {"==": "=", "<>": "!="}.get(tok.text, tok.text)
            node: Node = Binary(tok.pos, op, left, self.sum_())
        else:
            negated = self._is_kw("not") and (self._is_kw("in", 1) or self._is_kw("between", 1))
            if negated:
                self._next()
            if self._is_kw("in"):
                node = self._in_list(left, negated)
            elif self._is_kw("between"):
                pos = self._next().pos
                low = self.sum_()
                if not self._is_kw("and"):
                    raise RuleError(f"expected 'and' in between but found {self._describe()}", self.tok.pos)
                self._next()
                node = Between(pos, left, low, self.sum_(), negated)
            elif self._is_kw("is"):
                pos = self._next().pos
                is_not = self._is_kw("not")
                if is_not:
                    self._next()
                if not self._is_kw("null"):
                    raise RuleError("expected 'null' after 'is'", self.tok.pos, "write 'x is null' or 'x is not null'")
                self._next()
                node = IsNull(pos, left, is_not)
            else:
                return left
        if self.tok.kind == "op" and self.tok.text in ("=", "==", "!=", "<>", "<", "<=", ">", ">="):
            raise RuleError("comparisons cannot be chained", self.tok.pos, "write 'a < b and b < c'")
        return node

    def _in_list(self, left: Node, negated: bool) -> Node:
        pos = self._next().pos
        self._expect_op("(")
        values = [self._literal()]
        while self._is_op(","):
            self._next()
            values.append(self._literal())
        self._expect_op(")")
        return InList(pos, left, tuple(values), negated)

    def _literal(self) -> Literal:
        tok = self.tok
        negative = False
        if self._is_op("-"):
            self._next()
            negative = True
            tok = self.tok
        if tok.kind == "number":
            value = self._number()
            return Literal(tok.pos, -value if negative else value)
        if tok.kind == "string" and not negative:
            self._next()
            return Literal(tok.pos, tok.text[1:-1])
        if tok.kind == "word" and tok.text.lower() in ("true", "false") and not negative:
            self._next()
            return Literal(tok.pos, tok.text.lower() == "true")
        raise RuleError(f"expected a number or a string in the list but found {self._describe()}", tok.pos,
                        "'in' lists hold literal values only")

    def sum_(self) -> Node:
        node = self.product()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            tok = self._next()
            node = Binary(tok.pos, tok.text, node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/"):
            tok = self._next()
            if tok.text == "*" and self._is_op("*"):
                raise RuleError("powers (**) are not part of the rule language", self.tok.pos)
            node = Binary(tok.pos, tok.text, node, self.unary())
        return node

    def unary(self) -> Node:
        if self._is_op("-"):
            pos = self._next().pos
            self._enter(pos)
            try:
                operand = self.unary()
            finally:
                self.depth -= 1
            if isinstance(operand, Literal) and isinstance(operand.value, Decimal):
                return Literal(pos, -operand.value)
            return Unary(pos, "-", operand)
        return self.atom()

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "number":
            return Literal(tok.pos, self._number())
        if tok.kind == "string":
            self._next()
            return Literal(tok.pos, tok.text[1:-1])
        if self._is_op("("):
            self._next()
            node = self.expr()
            self._expect_op(")")
            return node
        if tok.kind == "word":
            return self._word()
        raise RuleError(f"expected a value but found {self._describe()}", tok.pos)

    def _number(self) -> Decimal:
        tok = self._next()
        if len(tok.text) > limits.RULE_MAX_NUMBER_DIGITS:
            raise RuleError("number has too many digits", tok.pos)
        return Decimal(tok.text)

    def _word(self) -> Node:
        tok = self._next()
        lower = tok.text.lower()
        if lower in ("true", "false"):
            return Literal(tok.pos, lower == "true")
        if lower == "null":
            return Literal(tok.pos, None)
        if lower in KEYWORDS:
            raise RuleError(f"unexpected keyword '{lower}'", tok.pos)
        if self._is_op("("):
            return self._call(tok, lower)
        if not IDENTIFIER.match(tok.text):
            # the type checker, which knows the fields, suggests one by `name`
            raise RuleError(f"field name {tok.text!r} must be lower case", tok.pos, "field names are lower case",
                            name=tok.text)
        return Name(tok.pos, tok.text)

    def _call(self, tok: Token, lower: str) -> Node:
        if lower not in FUNCTIONS:
            raise RuleError(f"unknown function {tok.text!r}", tok.pos,
                            "functions: " + ", ".join(sorted(FUNCTIONS)))
        self._next()
        self._enter(tok.pos)
        try:
            args = [self.expr()]
            while self._is_op(","):
                self._next()
                args.append(self.expr())
        finally:
            self.depth -= 1
        self._expect_op(")")
        low, high = FUNCTIONS[lower]
        if not low <= len(args) <= high:
            want = str(low) if low == high else f"{low} to {high}"
            raise RuleError(f"{lower}() takes {want} arguments, got {len(args)}", tok.pos)
        return Call(tok.pos, lower, tuple(args))


def parse(text: str) -> Node:
    """Parse one rule or formula. Raises RuleError with the offending position."""
    if not isinstance(text, str):
        raise RuleError("a rule must be text", 0)
    if len(text) > MAX_LENGTH:
        raise RuleError(f"rule longer than {MAX_LENGTH} characters", MAX_LENGTH, "split it into derived features")
    if not text.strip():
        raise RuleError("empty rule", 0)
    return _Parser(text).parse()
