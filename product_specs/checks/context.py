"""What every section checker shares: the spec, its line map, the findings collected so far and the typed
scope of names that rules may use (filled by the fields and derived checkers, read by every later one)."""

from __future__ import annotations

from decimal import Decimal

from ..errors import Finding, RuleError, Severity
from ..io import LineMap
from ..rules import BOOLEAN, NUMBER, Binary, CheckedExpr, Literal, Symbol, compile_rule, did_you_mean, walk
from ..sections import FieldType
from ..spec import ProductSpec

__all__ = ["CheckContext", "symbol_of"]


def symbol_of(field) -> Symbol:
    """The rule language's view of a data-dictionary field."""
    kind = {FieldType.INTEGER: NUMBER, FieldType.NUMBER: NUMBER, FieldType.BOOLEAN: BOOLEAN,
            FieldType.CATEGORY: "string", FieldType.STRING: "text"}[field.type]
    categories = tuple(field.categories) if field.type is FieldType.CATEGORY and field.categories else None
    return Symbol(kind, not field.required, categories)


class CheckContext:
    """The state one run of `check_spec` shares between the section checkers."""

    def __init__(self, spec: ProductSpec, lines: LineMap | None):
        self.spec = spec
        self.lines = lines or LineMap(None)
        self.findings: list[Finding] = []
        self.scope: dict[str, Symbol] = {}
        self.text_fields: set[str] = set()
        self.reason_code_set: set[str] = set()

    # reporting
    def add(self, severity: Severity, code: str, loc: tuple, path: str, message: str, hint: str = "",
            **extra) -> None:
        if "rule_column" in extra:  # point at the offending token, not at the rule's start
            line, column = self.lines.find_inside(loc, extra["rule_column"] - 1)
        else:
            line, column = self.lines.find(loc)
        section = str(loc[0]) if loc else ""
        item = path.split("[", 1)[1].split("]", 1)[0] if "[" in path else ""
        attribute = str(loc[-1]) if len(loc) > 1 and isinstance(loc[-1], str) else ""
        self.findings.append(Finding(severity, code, path, message, hint, section, item, attribute, line, column,
                                     extra))

    def error(self, code, loc, path, message, hint="", **extra):
        self.add(Severity.ERROR, code, loc, path, message, hint, **extra)

    def warn(self, code, loc, path, message, hint="", **extra):
        self.add(Severity.WARNING, code, loc, path, message, hint, **extra)

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    # shared checks
    def rule(self, text: str, loc: tuple, path: str, want: str | None, scope=None) -> CheckedExpr | None:
        """Parse and type-check one rule; a refused rule becomes a `rule` finding and gives None."""
        scope = self.scope if scope is None else scope
        try:
            checked = compile_rule(text, scope, want)
        except RuleError as err:
            message, hint = err.message, err.hint
            name = message.split("'")[1] if message.startswith("unknown field") else None
            if name in self.text_fields:
                message, hint = f"free-text field {name!r} cannot be used in rules", "use a category field"
            self.error("rule", loc, path, message, hint, rule_column=err.position + 1, rule=text)
            return None
        for node in walk(checked.node):
            if isinstance(node, Binary) and node.op == "/" and isinstance(node.right, Literal) \
                    and isinstance(node.right.value, Decimal) and node.right.value == 0:
                self.warn("division", loc, path, "division by 0: the result is always null", "divide by "
                          "something else; a null never makes a rule hit", rule_column=node.right.pos + 1, rule=text)
        return checked

    def unique(self, items, key: str, section: str, what: str) -> None:
        """A `duplicate` error on every item whose `key` repeats an earlier one's."""
        seen = set()
        for i, item in enumerate(items):
            value = getattr(item, key)
            if value in seen:
                self.error("duplicate", (*section.split("."), i, key), f"{section}[{value}]",
                           f"duplicate {what} {value!r}", f"every {what} must be unique")
            seen.add(value)

    def known_keys(self, mapping, known, loc, path, what) -> None:
        """A `reference` error on every key of `mapping` that is not in `known`."""
        for key in mapping:
            if key not in known:
                self.error("reference", loc + (key,), f"{path}[{key}]", f"unknown {what} {key!r}",
                           did_you_mean(key, known))

    def band_ids(self) -> list[str]:
        return [b.id for b in self.spec.decision.bands]

    def segment_ids(self) -> list[str]:
        return [s.id for s in self.spec.segments]
