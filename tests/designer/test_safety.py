"""Safety of the browser front end: XSRF on, uploads bounded, no raw HTML from user text, paths confined."""

import re
import tomllib
from pathlib import Path

import pytest

from designer.cli.design import SERVER_OPTIONS, streamlit_command

ROOT = Path(__file__).resolve().parents[2]
FRONT_END = [*ROOT.glob("designer/app_pages/*.py"), *ROOT.glob("designer/web/*.py"), ROOT / "designer/streamlit_app.py"]


def test_config_turns_xsrf_on_and_limits_uploads():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server = config["server"]
    assert server["enableXsrfProtection"] is True
    assert 0 < server["maxUploadSize"] <= 100
    assert server["address"] == "127.0.0.1" and server["headless"] is True
    assert config["client"]["showErrorDetails"] == "none"


def test_the_design_command_passes_the_same_settings():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    for key, value in SERVER_OPTIONS.items():
        section, name = key.split(".")
        assert str(config[section][name]).lower() == value, key
    command = streamlit_command("127.0.0.1", 8501)
    assert "--server.enableXsrfProtection=true" in command and "--server.address=127.0.0.1" in command


def test_no_raw_html_anywhere_in_the_front_end():
    assert FRONT_END
    for path in FRONT_END:
        text = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html" not in text, path
        assert "st.html(" not in text and "components.html" not in text, path
        assert not re.search(r"\b(eval|exec)\(", text), path


def test_user_text_is_escaped_before_markdown():
    from designer.web.widgets import md

    hostile = "[click](http://evil.example) ![x](http://evil.example/x.png) <b>hi</b> **bold** :red[x] $x$"
    escaped = md(hostile)
    assert "](" not in escaped.replace("\\](", "").replace("\\(", "")
    for ch in "[]()<>*:$!":
        assert all(escaped[i - 1] == "\\" for i, c in enumerate(escaped) if c == ch), ch


def test_graphviz_labels_cannot_break_out():
    from designer.web.charts import dot_text

    label = dot_text('a" -> b [label=<x>]; "c\nd\\')
    assert label.startswith('"') and label.endswith('"')
    assert '\\"' in label and "\n" not in label
    body = label[1:-1].replace('\\\\', '').replace('\\"', '')
    assert '"' not in body


@pytest.mark.parametrize("name", ["../outside", "/tmp/x", "a/../../b", ".hidden"])
def test_workspace_paths_are_confined(tmp_path, name):
    from designer.workspace import Workspace, WorkspaceError

    ws = Workspace(tmp_path / "ws")
    with pytest.raises(WorkspaceError):
        ws.save(name, "a: 1\n")
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
