"""`loanstudio generate`: render a product's deployable services (registered by designer.cli)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from designer.cli.common import SpecArg, format_finding, say
from designer.cli.exit_codes import EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE
from designer.settings import settings
from designer.use_cases import generate_services
from product_specs import Severity

__all__ = ["register", "generate"]


def register(app: typer.Typer) -> None:
    """Add this module's command to the main app."""
    app.command("generate")(generate)


def generate(
    spec: SpecArg,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default: generated/, or "
                                             "LOANSTUDIO_GENERATED_DIR).", show_default=False)] = None,
) -> None:
    """Generate the product's decision service and workflow service into OUT/<product_id>/decision-service/
    and OUT/<product_id>/workflow-service/.

    Each is a standalone FastAPI project (its own README, Makefile with `make run` and `make test`, Dockerfile,
    tests and openapi.json) that runs without Loan Studio. The same spec gives the same files; an earlier
    generation is replaced. Exit 0 when written, 1 when the spec has errors or a failing example test, 2
    when the spec cannot be read or the output cannot be written.
    """
    out_dir = out if out is not None else settings().generated_dir
    outcome = generate_services(spec, out_dir)
    check = outcome.check
    for f in check.findings:
        if f.severity is Severity.ERROR:
            say(format_finding(f, str(spec)), err=True)
    if check.unreadable:
        say(f"{spec}: cannot be read", err=True)
        raise typer.Exit(EXIT_UNREADABLE)
    if check.errors:
        say(f"{spec}: {len(check.errors)} error(s): nothing generated", err=True)
        raise typer.Exit(EXIT_ERRORS)
    if outcome.error is not None:
        say(f"cannot generate: {outcome.error}", err=True)
        raise typer.Exit(EXIT_UNREADABLE)
    for path in outcome.services:
        say(f"wrote {path}")
    raise typer.Exit(EXIT_OK)
