"""The OpenAPI document: current, OpenAPI 3.1, and a property-based test generated from it finds no 5xx
and no answer that contradicts it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import schemathesis
from conftest import make_settings
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from app.main import create_app

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)


def test_openapi_json_is_the_app_s_document():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from export_openapi import document_text
    finally:
        sys.path.pop(0)
    assert (ROOT / "openapi.json").read_text(encoding="utf-8") == document_text(), "run `make openapi`"


def test_openapi_version_and_paths():
    assert DOCUMENT["openapi"].startswith("3.1.")
    assert set(DOCUMENT["paths"]) == {"/v1/decisions", "/v1/decisions:batch", "/v1/product", "/healthz", "/readyz",
                                      "/metrics"}


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """One started app (decision log running) for every generated case."""
    application = create_app(make_settings(tmp_path_factory.mktemp("api"), batch_max=5))
    with TestClient(application):
        yield application


@SCHEMA.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
def test_the_api_answers_as_documented_and_never_fails(case, api):
    response = case.call(app=api)
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance,
                                             response_schema_conformance])
