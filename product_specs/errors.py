"""Findings and the one error type of the spec package."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum

__all__ = ["Severity", "Finding", "SpecError", "SpecFileError", "RuleError"]


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
    """A rule expression is refused. `position` is a 0-based offset into the expression text."""

    def __init__(self, message: str, position: int = 0, hint: str = ""):
        self.message = message
        self.position = position
        self.hint = hint
        super().__init__(f"{message} at column {position + 1}" + (f" ({hint})" if hint else ""))
