"""The `loanstudio` command line: one typer module per command group, each calling designer.use_cases."""

from .app import app, main

__all__ = ["app", "main"]
