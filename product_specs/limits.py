"""Every bound on what a user can hand Loan Studio, in one place (docs/limits.md lists them).

Readers of user input (spec YAML, rules, applicant JSON, data files, the command line's file arguments,
the designer's uploads, the generated services' request bodies) take their bounds from here, so a
500-byte file cannot cost more than a bounded, documented amount of memory and time. A bound that a
bank may legitimately need to raise names its environment variable (`env`); the others protect the
machine or the rule language and are fixed.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Limit", "LIMITS", "limit", "SPEC_MAX_BYTES", "SPEC_MAX_DEPTH", "SPEC_MAX_NODES", "SPEC_MAX_ALIASES",
           "SPEC_MAX_LIST_ITEMS", "SPEC_MAX_SCALAR_CHARS", "SPEC_MAX_NUMBER", "SPEC_MAX_POINTS", "SCORE_MAX",
           "RULE_MAX_LENGTH", "RULE_MAX_DEPTH", "RULE_MAX_STRING", "RULE_MAX_NUMBER_DIGITS", "APPLICANT_MAX_BYTES",
           "APPLICANT_MAX_DEPTH", "DATA_MAX_BYTES", "DATA_MAX_COLUMNS", "SAMPLE_MAX_ROWS", "PATH_MAX_CHARS",
           "as_dict", "InputRefused", "read_user_bytes", "check_path"]


@dataclass(frozen=True)
class Limit:
    """One bound: its value, what it bounds, and the environment variable that raises it (if any)."""

    name: str
    value: int
    unit: str
    bounds: str
    env: str = ""

    @property
    def hint(self) -> str:
        """How to get past the bound, for an error message."""
        if self.env:
            return f"the limit is {self.value:,} {self.unit}; raise it with the environment variable {self.env}"
        return f"the limit is {self.value:,} {self.unit}"


def _env(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip().replace("_", "")
    return int(text) if text.isdigit() and 0 < int(text) < 2 ** 62 else default


LIMITS: dict[str, Limit] = {}


def _limit(name: str, value: int, unit: str, bounds: str, env: str = "") -> int:
    found = Limit(name, _env(env, value) if env else value, unit, bounds, env)
    LIMITS[name] = found
    return found.value


def limit(name: str) -> Limit:
    """The bound called `name` (a key of LIMITS)."""
    return LIMITS[name]


# --- spec YAML ----------------------------------------------------------------------------------------
SPEC_MAX_BYTES = _limit("spec_bytes", 2_000_000, "bytes", "size of a spec file (the catalog's are ~30 KB)",
                        "LOANSTUDIO_MAX_SPEC_BYTES")
SPEC_MAX_DEPTH = _limit("spec_depth", 32, "levels", "nesting of mappings and lists in a spec (a spec needs 7)")
SPEC_MAX_NODES = _limit("spec_nodes", 200_000, "values",
                        "values in a spec with every alias expanded (stops 'billion laughs' alias bombs)")
SPEC_MAX_ALIASES = _limit("spec_aliases", 1_000, "aliases", "YAML aliases (*name) in a spec")
SPEC_MAX_LIST_ITEMS = _limit("spec_list_items", 5_000, "items",
                             "items in one list of a spec (fields, rules, bins, tests...)")
SPEC_MAX_SCALAR_CHARS = _limit("spec_scalar_chars", 200_000, "characters", "one value (a text, a rule) in a spec")
SPEC_MAX_NUMBER = _limit("spec_number", 10 ** 15, "(absolute value)",
                         "any number in a spec: amounts, rates, bounds (a double holds them exactly enough)")
SPEC_MAX_POINTS = _limit("spec_points", 1_000_000, "points (absolute value)",
                         "scorecard points, base points, missing points and band minimums")
SCORE_MAX = _limit("score", 2 ** 31 - 1, "points (absolute value)",
                   "the largest score a scorecard can reach (the simulation adds points as 32-bit integers)")

# --- rules --------------------------------------------------------------------------------------------
RULE_MAX_LENGTH = _limit("rule_length", 1_000, "characters", "one rule or formula (split it into derived features)")
RULE_MAX_DEPTH = _limit("rule_depth", 24, "levels", "nesting of parentheses, functions and 'not' in a rule")
RULE_MAX_STRING = _limit("rule_string", 100, "characters", "a quoted string in a rule")
RULE_MAX_NUMBER_DIGITS = _limit("rule_number_digits", 20, "characters", "a number written in a rule")

# --- applicants and data ----------------------------------------------------------------------------
APPLICANT_MAX_BYTES = _limit("applicant_bytes", 1_000_000, "bytes",
                             "one applicant's JSON (`decide --applicant`, a service's request body)",
                             "LOANSTUDIO_MAX_APPLICANT_BYTES")
APPLICANT_MAX_DEPTH = _limit("applicant_depth", 16, "levels",
                             "nesting of objects and arrays in an applicant's JSON (an applicant is flat)")
DATA_MAX_BYTES = _limit("data_bytes", 50_000_000_000, "bytes", "a data file (Parquet, CSV, DuckDB) to validate "
                        "or simulate", "LOANSTUDIO_MAX_DATA_BYTES")
DATA_MAX_COLUMNS = _limit("data_columns", 10_000, "columns", "columns of a data file")
SAMPLE_MAX_ROWS = _limit("sample_rows", 100_000_000, "rows", "rows of generated sample data (`sample-data --rows`)",
                         "LOANSTUDIO_MAX_SAMPLE_ROWS")
PATH_MAX_CHARS = _limit("path_chars", 4_096, "characters", "a file name given on the command line or uploaded")


def as_dict() -> dict[str, int]:
    """Every bound by name, for a generated service or the designer to read without importing this package."""
    return {name: found.value for name, found in LIMITS.items()}


class InputRefused(ValueError):
    """A user's input is refused at the door: unreadable, not a regular file, or beyond a bound.

    `message` says what (with the path), `hint` how to fix it or which limit applies; `too_large` tells a
    bound from an unreadable file.
    """

    def __init__(self, message: str, hint: str = "", too_large: bool = False):
        super().__init__(f"{message} ({hint})" if hint else message)
        self.message = message
        self.hint = hint
        self.too_large = too_large


def check_path(path: str | Path, what: str = "file") -> Path:
    """A file name a user gave, refused when it cannot name a file (NUL byte, absurd length).

    Names are the user's own on the command line: `..` and absolute paths are allowed there. A name that
    comes from an upload is never used as a path (the designer stores uploads under its own names).
    """
    text = str(path)
    if "\x00" in text:
        raise InputRefused(f"{what} name {text!r} contains a NUL character",
                           "give the file's real name")
    if len(text) > PATH_MAX_CHARS:
        raise InputRefused(f"{what} name of {len(text):,} characters", limit("path_chars").hint, too_large=True)
    return Path(text)


def read_user_bytes(path: str | Path, bound: str, what: str = "file") -> bytes:
    """The bytes of a user's file, refused before reading when it is not a regular file or is larger
    than the limit `bound` (a key of LIMITS). Never reads more than the limit plus one byte."""
    path = check_path(path, what)
    cap = limit(bound)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputRefused(f"{path}: is a folder, not a file", "give the path of a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputRefused(f"{path}: is not a regular file (a device, pipe or socket)", "give the path of a file")
        if info.st_size > cap.value:
            raise InputRefused(f"{path}: {what} of {info.st_size:,} bytes is too large", cap.hint, too_large=True)
        with path.open("rb") as handle:
            data = handle.read(cap.value + 1)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        hint = "check the path" if isinstance(err, FileNotFoundError) else ""
        raise InputRefused(f"{path}: cannot read {what}: {reason}", hint) from None
    if len(data) > cap.value:
        raise InputRefused(f"{path}: {what} grew beyond {cap.value:,} bytes while read", cap.hint, too_large=True)
    return data
