"""Fixtures: an app with its own settings and a decision log in a temporary folder, and the spec's data."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app

DATA = json.loads((Path(__file__).parent / "examples.json").read_text(encoding="utf-8"))
EXAMPLES = DATA["examples"]


def make_settings(tmp_path: Path, **overrides) -> Settings:
    """Settings for a test: nothing from the environment or a `.env` file, the log in `tmp_path`."""
    values = {"api_keys": "", "log_url": f"sqlite:///{tmp_path / 'decisions.db'}", "log_drain_seconds": 5.0}
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def make_client(tmp_path):
    """Start an app (lifespan included) with settings overrides; every client is stopped after the test."""
    started = []

    def make(**overrides) -> TestClient:
        client = TestClient(create_app(make_settings(tmp_path, **overrides)))
        client.__enter__()
        started.append(client)
        return client

    yield make
    for client in started:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


@pytest.fixture
def applicant() -> dict:
    """An applicant the service accepts (a fresh copy for each test)."""
    return copy.deepcopy(DATA["valid_applicant"])
