"""docs/first-product.md runs as written: its files are made, its commands run in order in a fresh folder,
and each command's output and exit code are the ones the page shows (`...` stands for any text)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from designer.cli import app

DOC = Path(__file__).resolve().parents[3] / "docs" / "first-product.md"
_FENCE = re.compile(r"(?:<!-- (write|append): (\S+) -->\n)?```(\w*)\n(.*?)```", re.S)


def _steps(text: str):
    """('file', mode, name, body) and ('console', body) in the order of the page."""
    for mode, name, kind, body in _FENCE.findall(text):
        if mode:
            yield "file", mode, name, body
        elif kind == "console":
            yield "console", body


def _commands(body: str):
    """(arguments, exit code, expected lines) of each `$ loanstudio ...` in a console block."""
    out = []
    for line in body.rstrip("\n").split("\n"):
        if line.startswith("$ "):
            command, _, comment = line[2:].partition("  # ")
            words = shlex.split(command)
            assert words[0] == "loanstudio", line
            code = int(comment.removeprefix("exit ")) if comment.startswith("exit ") else 0
            out.append((words[1:], code, []))
        else:
            out[-1][2].append(line)
    return out


def _pattern(lines: list[str]) -> re.Pattern:
    parts = []
    for line in lines:
        if line == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in line.split("...")) + r"[ \t]*\n")
    return re.compile("".join(parts))


def test_the_tutorial_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ran = 0
    for step in _steps(DOC.read_text(encoding="utf-8")):
        if step[0] == "file":
            _, mode, name, body = step
            with (tmp_path / name).open("a" if mode == "append" else "w", encoding="utf-8") as handle:
                handle.write(body if mode == "write" or not (tmp_path / name).exists() else "\n" + body)
            continue
        for args, code, lines in _commands(step[1]):
            result = CliRunner().invoke(app, args)
            output = "\n".join(line.rstrip() for line in result.output.split("\n"))
            shown = f"$ loanstudio {' '.join(args)}  (exit {result.exit_code})\n{result.output}"
            assert result.exception is None or isinstance(result.exception, SystemExit), shown
            assert result.exit_code == code, shown
            assert _pattern(lines).fullmatch(output.rstrip("\n") + "\n"), f"output differs from the page:\n{shown}"
            ran += 1
    assert ran >= 9
