"""`loanstudio workspace ...`: the designer's saved products and versions from the command line (save,
history, show, diff, restore, simulate, publish), the same functions the browser calls."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from designer.cli.common import SpecArg, say
from designer.cli.exit_codes import EXIT_ERRORS, EXIT_UNREADABLE

__all__ = ["register", "workspace_app"]

workspace_app = typer.Typer(add_completion=False, no_args_is_help=True,
                            help="Saved products and their versions (the designer's workspace).")
Name = Annotated[str, typer.Argument(help="Product name in the workspace.", show_default=False)]
Number = Annotated[int, typer.Argument(help="Version number.", min=1, show_default=False)]


def register(app: typer.Typer) -> None:
    app.add_typer(workspace_app, name="workspace")


def _ws():
    from designer.settings import settings
    from designer.workspace import Workspace

    return Workspace(settings().workspace_dir)


def _run(action):
    from designer.workspace import WorkspaceError

    try:
        return action()
    except WorkspaceError as err:
        say(str(err), err=True)
        raise typer.Exit(EXIT_ERRORS) from None
    except OSError as err:
        say(f"workspace: {err.strerror or err}", err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None


@workspace_app.command("list")
def list_products() -> None:
    """Every product in the workspace with its latest version."""
    ws = _ws()
    for name in ws.products():
        latest = ws.latest(name)
        say(f"{name:<32} {('v' + str(latest.number)) if latest else '(draft only)'}")


@workspace_app.command("save")
def save(spec: SpecArg, name: Name, note: Annotated[str, typer.Option("--note", help="What changed.")] = "") -> None:
    """Save a spec file as the next version of NAME (earlier versions are kept)."""
    from designer.use_cases import check_text

    try:
        text = Path(spec).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        say(f"{spec}: cannot read ({getattr(err, 'strerror', None) or err})", err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    outcome = check_text(text, str(spec))
    checked = outcome.checked
    v = _run(lambda: _ws().save(name, text, note, checked.spec_hash if checked else None, len(outcome.errors),
                                len(outcome.warnings)))
    say(f"{name} v{v.number} saved ({len(outcome.errors)} error(s), {len(outcome.warnings)} warning(s))")


@workspace_app.command("history")
def history(name: Name) -> None:
    """The versions of NAME, oldest first."""
    for v in _run(lambda: _ws().versions(name)):
        mark = "published" if v.published else ""
        say(f"v{v.number:<5} {v.saved_at:<26} errors={v.errors} warnings={v.warnings} {mark:<9} {v.note}")


@workspace_app.command("show")
def show(name: Name, number: Number) -> None:
    """Print a version's YAML exactly as saved."""
    typer.echo(_run(lambda: _ws().read(name, number)), nl=False)


@workspace_app.command("diff")
def diff(name: Name, a: Number, b: Number) -> None:
    """A unified diff from version A to version B."""
    typer.echo(_run(lambda: _ws().diff(name, a, b)), nl=False)


@workspace_app.command("restore")
def restore(name: Name, number: Number) -> None:
    """Save version NUMBER again as the newest version, byte for byte."""
    v = _run(lambda: _ws().restore(name, number))
    say(f"{name} v{number} restored as v{v.number}")


@workspace_app.command("simulate")
def simulate(name: Name, number: Number) -> None:
    """Simulate a version on its default sample and record it (publishing needs a simulation)."""
    from designer.settings import settings
    from designer.use_cases import check_text, default_data, simulate_product, simulation_summary
    from validation.analysis.simulate import SimulationError

    ws = _ws()
    outcome = check_text(_run(lambda: ws.read(name, number)), f"{name} v{number}")
    if outcome.checked is None:
        say(f"{name} v{number} has {len(outcome.errors)} error(s): it cannot be simulated", err=True)
        raise typer.Exit(EXIT_ERRORS)
    try:
        result = simulate_product(outcome.checked, default_data(outcome.checked, settings().samples_dir).source)
    except SimulationError as err:
        say(str(err), err=True)
        raise typer.Exit(EXIT_UNREADABLE) from None
    _run(lambda: ws.record_simulation(name, outcome.checked.spec_hash, simulation_summary(result)))
    say(f"{name} v{number}: approval rate {result.metrics.value('approval_rate'):.2%}, simulation recorded")


@workspace_app.command("publish")
def publish(name: Name, number: Number) -> None:
    """Mark a version published (only when it checks clean and was simulated); it never changes again."""
    v = _run(lambda: _ws().publish(name, number))
    say(f"{name} v{v.number} published at {v.published_at}")
