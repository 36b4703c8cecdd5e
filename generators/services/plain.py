"""Rules in plain language: a typed rule rendered with the fields' labels, in Chinese and in English.

`age not between 22 and 60` becomes `年龄 不介于 22 与 60 之间` and `Age is not between 22 and 60`. The
result is text for people (the service's `GET /v1/product`, its README), never code.
"""

from __future__ import annotations

from decimal import Decimal

from product_specs.rules import Between, Binary, Call, CheckedExpr, InList, IsNull, Literal, Name, Node, Unary

__all__ = ["plain_rule", "Labels"]

Labels = dict[str, tuple[str, str]]
"""name -> (zh, en) label of every field and derived feature."""

_PRECEDENCE = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3, "+": 4, "-": 4, "*": 5, "/": 5}
_SYMBOL = {"=": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥", "+": "+", "-": "-", "*": "×", "/": "÷"}
_WORDS = {
    "zh": {"and": "且", "or": "或", "not": "非", "in": "属于", "not in": "不属于", "between": "介于 {} 与 {} 之间",
           "not between": "不介于 {} 与 {} 之间", "null": "为空", "not null": "不为空", "true": "是", "false": "否",
           "empty": "空", "coalesce": "{}（为空时取 {}）", "if": "若 {} 则 {} 否则 {}"},
    "en": {"and": "and", "or": "or", "not": "not", "in": "is one of", "not in": "is not one of",
           "between": "is between {} and {}", "not between": "is not between {} and {}", "null": "is empty",
           "not null": "is not empty", "true": "true", "false": "false", "empty": "empty",
           "coalesce": "{} ({} when empty)", "if": "if {} then {} else {}"},
}


def plain_rule(checked: CheckedExpr, labels: Labels) -> dict[str, str]:
    """`{"zh": ..., "en": ...}`: the rule with labels for names and words for operators."""
    return {lang: _Renderer(labels, lang).render(checked.node) for lang in ("zh", "en")}


class _Renderer:
    def __init__(self, labels: Labels, lang: str):
        self.labels = labels
        self.lang = lang
        self.words = _WORDS[lang]

    def render(self, node: Node) -> str:
        return getattr(self, f"_{type(node).__name__.lower()}")(node)

    def _wrapped(self, node: Node, parent: int) -> str:
        text = self.render(node)
        if isinstance(node, Binary) and _PRECEDENCE[node.op] < parent:
            return f"({text})"
        if isinstance(node, InList | Between | IsNull | Unary) and parent > _PRECEDENCE["and"]:
            return f"({text})"
        return text

    def _literal(self, node: Literal) -> str:
        value = node.value
        if value is None:
            return self.words["empty"]
        if isinstance(value, bool):
            return self.words["true" if value else "false"]
        if isinstance(value, Decimal):
            return format(value, "f")
        return f"“{value}”" if self.lang == "zh" else f"'{value}'"

    def _name(self, node: Name) -> str:
        zh, en = self.labels.get(node.name, (node.name, node.name))
        return zh if self.lang == "zh" else en

    def _unary(self, node: Unary) -> str:
        if node.op == "not":
            return f"{self.words['not']} ({self.render(node.operand)})"
        return f"-{self._wrapped(node.operand, 6)}"

    def _binary(self, node: Binary) -> str:
        level = _PRECEDENCE[node.op]
        op = self.words[node.op] if node.op in ("and", "or") else _SYMBOL[node.op]
        right_level = level + 1 if node.op in ("-", "/") else level
        return f"{self._wrapped(node.left, level)} {op} {self._wrapped(node.right, right_level)}"

    def _inlist(self, node: InList) -> str:
        sep = "、" if self.lang == "zh" else ", "
        values = sep.join(self.render(v) for v in node.values)
        return f"{self._wrapped(node.operand, 3)} {self.words['not in' if node.negated else 'in']} {values}"

    def _between(self, node: Between) -> str:
        phrase = self.words["not between" if node.negated else "between"]
        return f"{self._wrapped(node.operand, 3)} " + phrase.format(self._wrapped(node.low, 4),
                                                                    self._wrapped(node.high, 4))

    def _isnull(self, node: IsNull) -> str:
        return f"{self._wrapped(node.operand, 3)} {self.words['not null' if node.negated else 'null']}"

    def _call(self, node: Call) -> str:
        args = [self.render(a) for a in node.args]
        if node.name == "coalesce" and len(args) == 2:
            return self.words["coalesce"].format(*args)
        if node.name == "if":
            return self.words["if"].format(*args)
        return f"{node.name}({', '.join(args)})"
