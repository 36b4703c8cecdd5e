"""Fixtures: the session's database (SQLite in a temporary folder, or a fresh database `ls_wf_<random>` on
the server of `WORKFLOW_TEST_DATABASE_URL`, dropped at the end), emptied before each test, and an app."""

from __future__ import annotations

import os
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.core.config import Settings
from app.db import TABLES, Database
from app.main import create_app, migrate

SERVER = os.environ.get("WORKFLOW_TEST_DATABASE_URL", "").strip()


def make_settings(url: str, **overrides) -> Settings:
    """Settings for a test: nothing from the environment or a `.env` file."""
    values = {"database_url": url, "migrate_on_start": False, "outbox_publisher": "none", "api_keys": ""}
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The URL of a database for this session, migrated to the newest revision."""
    if not SERVER:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'workflow.db'}"
        migrate(url)
        yield url
        return
    server = make_url(SERVER)
    name = f"ls_wf_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
    except DBAPIError as err:
        admin.dispose()
        pytest.fail(f"WORKFLOW_TEST_DATABASE_URL: cannot create a database on "
                    f"{server.render_as_string(hide_password=True)}: {err.orig}", pytrace=False)
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            force = " WITH (FORCE)" if server.get_backend_name() == "postgresql" else ""
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}{force}"))
        admin.dispose()


@pytest.fixture
def db(database_url):
    """The session's database, emptied."""
    database = Database(database_url)
    with database.engine.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
    yield database
    database.dispose()


@pytest.fixture
def make_client(db):
    """Start an app (lifespan included) on the test's database with settings overrides."""
    started = []

    def make(**overrides) -> TestClient:
        client = TestClient(create_app(make_settings(db.url, **overrides)))
        client.__enter__()
        started.append(client)
        return client

    yield make
    for client in started:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()
