"""Render a cookiecutter template into a folder, deterministically and without touching the user's home.

Templates get their product-specific files finished (compiled source, formatted data modules, JSON,
Markdown) under the `_files` key, which cookiecutter passes through unrendered: no spec text is ever seen
by Jinja as a template, and no logic lives in a template.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

__all__ = ["render_template", "format_python", "TEMPLATES"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def render_template(name: str, context: dict, out_dir: Path) -> Path:
    """Render `templates/<name>` with `context` into `out_dir`; return the folder made."""
    from cookiecutter.main import cookiecutter

    with tempfile.TemporaryDirectory(prefix="loanstudio-cookiecutter-") as home:
        config = Path(home) / "config.yaml"
        config.write_text(json.dumps({"cookiecutters_dir": str(Path(home) / "cookiecutters"),
                                      "replay_dir": str(Path(home) / "replay")}), encoding="utf-8")
        made = cookiecutter(str(TEMPLATES / name), no_input=True, extra_context=context, output_dir=str(out_dir),
                            config_file=str(config), accept_hooks=False, overwrite_if_exists=False)
    return Path(made)


def format_python(source: str, filename: str) -> str:
    """Format with the pinned ruff (as the decision module is), so the bytes are the same everywhere."""
    from ruff.__main__ import find_ruff_bin

    done = subprocess.run([find_ruff_bin(), "format", "--isolated", "--line-length", "110", "--stdin-filename",
                           filename, "-"], input=source, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"formatting generated {filename} failed: {done.stderr.strip()}")
    return done.stdout
