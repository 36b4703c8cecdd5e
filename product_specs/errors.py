"""Findings and the one error type of the spec package."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from enum import StrEnum

__all__ = ["Severity", "Finding", "SpecError", "SpecFileError", "RuleError", "printable", "hidden_characters"]

# control (Cc), format (Cf: zero-width, bidi overrides, BOM), line/paragraph separators, surrogates and
# private use: characters that are invisible, move the cursor or reorder text on a terminal or a page
_HIDDEN = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"))

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _hidden(char: str) -> bool:
    return unicodedata.category(char) in _HIDDEN


def hidden_characters(text: str, allow: str = "") -> list[tuple[int, str]]:
    """(position, character) of every invisible or control character in `text`, except those in `allow`."""
    return [(i, c) for i, c in enumerate(text) if c not in allow and _hidden(c)]


def printable(text: str) -> str:
    """`text` with every invisible or control character written as an escape (`age\\u200b`, `\\x1b`), so a
    message shows what is really there and cannot clear a terminal or reorder a line."""
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c in _SHORT:
            out.append(_SHORT[c])
        elif _hidden(c):
            code = ord(c)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(c)
    return "".join(out)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem found in a spec, placed so a designer can show it beside its widget.

    `path` names the item (`admission[R04].when`), `section` its top-level section, `item` the id or
    code of the list entry (if any) and `attribute` the attribute inside it. `line`/`column` point into
    the YAML file when the spec came from one.
    """

    severity: Severity
    code: str
    path: str
    message: str
    hint: str = ""
    section: str = ""
    item: str = ""
    attribute: str = ""
    line: int | None = None
    column: int | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # every text a finding shows may quote the spec: invisible and control characters become escapes
        for name in ("path", "message", "hint", "item", "attribute"):
            value = getattr(self, name)
            if value and not value.isprintable():
                object.__setattr__(self, name, printable(value))

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        return f"{text} ({self.hint})" if self.hint else text

    def to_dict(self) -> dict:
        out = asdict(self)
        out["severity"] = self.severity.value
        return out


class SpecError(ValueError):
    """A spec cannot be used; carries every finding that says why."""

    def __init__(self, findings: list[Finding]):
        self.findings = list(findings)
        super().__init__("\n".join(str(f) for f in self.findings) or "invalid spec")


class SpecFileError(SpecError):
    """The file cannot be read or is not valid YAML (exit code 2)."""


class RuleError(ValueError):
    """A rule expression is refused. `position` is a 0-based offset into the expression text; `name` the
    refused name, when a name is the problem (the type checker then suggests a declared field)."""

    def __init__(self, message: str, position: int = 0, hint: str = "", name: str | None = None):
        self.message = message
        self.position = position
        self.hint = hint
        self.name = name
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.message} at column {self.position + 1}" + (f" ({self.hint})" if self.hint else "")
