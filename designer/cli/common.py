"""What every `loanstudio` command shares: the spec argument, finding lines and clean exits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from designer.cli.exit_codes import EXIT_ERRORS, EXIT_UNREADABLE
from designer.use_cases import load_checked_file
from product_specs import CheckedSpec, Finding, SpecError, SpecFileError
from product_specs.errors import printable

__all__ = ["SpecArg", "say", "format_finding", "fail", "load_checked_or_exit"]

SpecArg = Annotated[Path, typer.Argument(help="Product spec YAML file.", show_default=False)]


def say(text: str = "", err: bool = False) -> None:
    typer.echo(text, err=err)


def format_finding(f: Finding, source: str = "") -> str:
    where = printable(source)  # a file name can hold control characters too
    if f.line is not None:
        where += f":{f.line}" + (f":{f.column}" if f.column else "")
    prefix = f"{where}: " if where else ""
    body = str(f)
    if source and f.path in (source, where):  # a finding about the whole file: the path is already in front
        body = f"{f.message} ({f.hint})" if f.hint else f.message
    return f"{prefix}{f.severity.value}: {body}"


def fail(err: SpecError, source: str = "", as_json: bool = False) -> typer.Exit:
    """Report a spec error without a traceback; return the exit to raise."""
    code = EXIT_UNREADABLE if isinstance(err, SpecFileError) else EXIT_ERRORS
    if as_json:
        say(json.dumps([f.to_dict() for f in err.findings], ensure_ascii=False, indent=2))
    else:
        for f in err.findings:
            say(format_finding(f, source), err=True)
    return typer.Exit(code)


def load_checked_or_exit(path: Path, as_json: bool = False) -> CheckedSpec:
    """Load and check a spec for a command that needs a CheckedSpec; exit 1/2 with findings otherwise."""
    try:
        return load_checked_file(path)
    except SpecError as err:
        raise fail(err, str(path), as_json) from None
