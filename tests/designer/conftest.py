"""Designer tests: a workspace in tmp_path for every test, and AppTest started on the designer's script."""

from __future__ import annotations

import os

import pytest

# the app hides error details from users (.streamlit/config.toml); a failing test shows them
os.environ["STREAMLIT_CLIENT_SHOW_ERROR_DETAILS"] = "full"
from helpers.designer_app import APP  # noqa: E402


@pytest.fixture
def workspace_dir(tmp_path, monkeypatch):
    """Point the designer's workspace at a fresh folder (settings are read once: clear them around)."""
    from designer.settings import settings

    folder = tmp_path / "workspace"
    monkeypatch.setenv("LOANSTUDIO_WORKSPACE_DIR", str(folder))
    settings.cache_clear()
    yield folder
    settings.cache_clear()


@pytest.fixture
def app(workspace_dir):
    """A designer session (AppTest) with nothing open yet."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at

