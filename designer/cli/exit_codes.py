"""Exit codes and output formats shared by every `loanstudio` command."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["EXIT_OK", "EXIT_ERRORS", "EXIT_UNREADABLE", "OutputFormat"]

EXIT_OK = 0
"""Success (warnings allowed)."""
EXIT_ERRORS = 1
"""The spec has errors, an example test or a data check failed, or an input is refused."""
EXIT_UNREADABLE = 2
"""A file cannot be read or written, or is not valid YAML/JSON/data."""


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
