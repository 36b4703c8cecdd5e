"""Optional API keys: with DECISION_API_KEYS set, every /v1 route needs one of them in X-API-Key."""

from __future__ import annotations

import pytest

from app.core.security import key_accepted

ROUTES = [("post", "/v1/decisions"), ("post", "/v1/decisions:batch"), ("get", "/v1/product")]


def _call(client, method, path, applicant, headers):
    if method == "get":
        return client.get(path, headers=headers)
    body = applicant if path == "/v1/decisions" else {"applicants": [applicant]}
    return client.post(path, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_missing_or_wrong_key_is_a_401(make_client, applicant, method, path):
    client = make_client(api_keys="first-key, second-key")
    for headers in ({}, {"x-api-key": "wrong"}, {"x-api-key": ""}, {"x-api-key": "first-key "},
                    {"authorization": "Bearer first-key"}):
        response = _call(client, method, path, applicant, headers)
        assert response.status_code == 401, headers
        assert response.json() == {"detail": "Missing or wrong API key"}
        assert response.headers["www-authenticate"] == "ApiKey"


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_each_configured_key_is_accepted(make_client, applicant, method, path):
    client = make_client(api_keys="first-key, second-key")
    for key in ("first-key", "second-key"):
        assert _call(client, method, path, applicant, {"x-api-key": key}).status_code == 200


def test_without_keys_the_api_is_open(client, applicant):
    assert client.post("/v1/decisions", json=applicant).status_code == 200


def test_operations_routes_need_no_key(make_client):
    client = make_client(api_keys="k")
    for path in ("/healthz", "/readyz", "/metrics"):
        assert client.get(path).status_code == 200, path


def test_key_comparison():
    keys = (b"abc", b"def")
    assert key_accepted("abc", keys) and key_accepted("def", keys)
    assert not key_accepted("ab", keys) and not key_accepted(None, keys) and not key_accepted("abcd", keys)
    assert key_accepted(None, ()) and key_accepted("anything", ())
    assert not key_accepted("\udcff", keys)
