"""The exact versions a generated service installs (its `pyproject.toml`) and its container base image.

Loan Studio pins the same versions for itself (`pyproject.toml`: dependencies and the dev extra), so the
generated tests also run in Loan Studio's environment; `tests/generators/services` checks they agree.
"""

from __future__ import annotations

__all__ = ["RUNTIME", "TEST", "PYTHON_IMAGE", "REQUIRES_PYTHON", "WORKFLOW_RUNTIME"]

RUNTIME = {
    "fastapi": "0.165.0",
    "uvicorn[standard]": "0.55.0",
    "pydantic": "2.14.4",
    "pydantic-settings": "2.16.3",
    "typing-extensions": "4.16.0",
    "prometheus-client": "0.26.0",
    "sqlalchemy": "2.1.9",
}
"""What the service needs to run."""

WORKFLOW_RUNTIME = {
    "alembic": "1.20.1",
    "psycopg[binary]": "3.3.9",
    "pymysql": "1.2.4",
}
"""What the workflow service needs beyond RUNTIME: its migrations and the PostgreSQL and MySQL/MariaDB drivers."""

TEST = {
    "pytest": "9.2.0",
    "httpx2": "2.16.2",
    "hypothesis": "6.170.17",
    "schemathesis": "4.32.5",
}
"""What its tests need (the `test` extra)."""

PYTHON_IMAGE = "python:3.11.7-slim-bookworm"
"""Base image of the Dockerfile: an exact Python and Debian release, never `latest`."""

REQUIRES_PYTHON = ">=3.11"
