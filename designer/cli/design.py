"""`loanstudio design`: start the browser designer (Streamlit), with the catalog's sample data ready
(registered by designer.cli). The command line starts the app's script; it imports nothing of it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from designer.cli.common import say
from designer.cli.exit_codes import EXIT_UNREADABLE

__all__ = ["register", "design", "streamlit_command", "APP_SCRIPT", "SERVER_OPTIONS"]

APP_SCRIPT = Path(__file__).resolve().parent.parent / "streamlit_app.py"
SERVER_OPTIONS = {
    "server.headless": "true",
    "server.enableXsrfProtection": "true",
    "server.enableCORS": "true",
    "server.maxUploadSize": "50",
    "server.runOnSave": "false",
    "server.fileWatcherType": "none",
    "browser.gatherUsageStats": "false",
    "client.showErrorDetails": "none",
    "client.toolbarMode": "minimal",
    "global.developmentMode": "false",
}
"""What .streamlit/config.toml says, passed on the command line so it holds from any folder."""


def register(app: typer.Typer) -> None:
    app.command("design")(design)


def streamlit_command(address: str, port: int) -> list[str]:
    options = {**SERVER_OPTIONS, "server.address": address, "server.port": str(port),
               "browser.serverAddress": address, "browser.serverPort": str(port)}
    return [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT),
            *(f"--{key}={value}" for key, value in options.items())]


def design(
    address: Annotated[str, typer.Option("--address", help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1024, max=65535, help="Port to listen on.")] = 8501,
    prepare: Annotated[bool, typer.Option("--prepare/--no-prepare",
                                          help="Generate the catalog's sample data first (cached).")] = True,
) -> None:
    """Start the designer in the browser: headless, on 127.0.0.1:8501 by default; the address is printed."""
    from designer.settings import settings
    from designer.use_cases import prepare_samples

    if prepare:
        say(f"样本数据 / sample data: {settings().samples_dir}")
        try:
            prepare_samples(settings().samples_dir)
        except OSError as err:
            say(f"{settings().samples_dir}: cannot write sample data ({err.strerror or err})", err=True)
            raise typer.Exit(EXIT_UNREADABLE) from None
    say(f"Loan Studio designer: http://{address}:{port}", err=False)
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    try:
        code = subprocess.call(streamlit_command(address, port), env=env)
    except KeyboardInterrupt:
        code = 130
    raise typer.Exit(code)
