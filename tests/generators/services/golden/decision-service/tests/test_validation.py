"""A bad request is refused with the reason, never a 500: a 422 naming each bad field (one test per
constraint of the data dictionary), 413 beyond the size limit, 415 for anything but JSON."""

from __future__ import annotations

import json

import pytest

from app.product import PRODUCT

MISSING = object()


def _bad_values(field: dict) -> list[tuple[str, object]]:
    kind, out = field["type"], []
    if field["required"]:
        out += [("missing", MISSING), ("null", None)]
    if kind in ("integer", "number"):
        out += [("text", "1"), ("boolean", True), ("list", [1])]
        if kind == "integer":
            out.append(("fraction", (field["min"] or 0) + 0.5))
        if field["min"] is not None:
            out.append(("below the minimum", field["min"] - 1))
        if field["max"] is not None:
            out.append(("above the maximum", field["max"] + 1))
    elif kind == "category":
        out += [("not a category", "".join(field["categories"]) + "\u0000?"), ("number", 1)]
    elif kind == "boolean":
        out += [("text", "true"), ("number", 1)]
    else:
        out += [("number", 1), ("too long", "x" * 1001)]
    return out


CASES = [(f["name"], label, value) for f in PRODUCT["fields"] for label, value in _bad_values(f)]


@pytest.mark.parametrize(("name", "label", "value"), CASES, ids=[f"{n}-{lbl}" for n, lbl, _ in CASES])
def test_a_bad_value_is_a_422_naming_the_field(client, applicant, name, label, value):
    if value is MISSING:
        applicant.pop(name, None)
    else:
        applicant[name] = value
    response = client.post("/v1/decisions", json=applicant)
    assert response.status_code == 422, f"{name} {label}: {response.status_code} {response.text}"
    assert ["body", name] in [e["loc"] for e in response.json()["detail"]]


def test_every_bad_field_is_named_at_once(client, applicant):
    fields = [f["name"] for f in PRODUCT["fields"] if f["required"]][:3]
    for name in fields:
        applicant.pop(name, None)
    detail = client.post("/v1/decisions", json=applicant).json()["detail"]
    assert {tuple(e["loc"]) for e in detail} >= {("body", name) for name in fields}


def test_an_unknown_field_is_refused(client, applicant):
    applicant["not_a_field_of_this_product"] = 1
    response = client.post("/v1/decisions", json=applicant)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "not_a_field_of_this_product"]


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b"null", b"1", b'"x"', b"{\"a\": NaN}", b"\xff\xfe"])
def test_a_body_that_is_not_an_applicant_is_a_422(client, body):
    response = client.post("/v1/decisions", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"


def test_values_are_not_echoed_back(client, applicant):
    name = PRODUCT["fields"][0]["name"]
    applicant[name] = ["a secret value"]
    assert "a secret value" not in client.post("/v1/decisions", json=applicant).text


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "", "application/xml"])
def test_anything_but_json_is_a_415(client, applicant, content_type):
    response = client.post("/v1/decisions", content=json.dumps(applicant).encode(),
                           headers={"content-type": content_type})
    assert response.status_code == 415


def test_a_json_content_type_with_a_charset_is_fine(client, applicant):
    response = client.post("/v1/decisions", content=json.dumps(applicant).encode(),
                           headers={"content-type": "application/json; charset=utf-8"})
    assert response.status_code == 200


def test_a_body_over_the_limit_is_a_413(make_client, applicant):
    client = make_client(max_body_bytes=2048)
    applicant["padding"] = "x" * 4096
    response = client.post("/v1/decisions", json=applicant)
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body larger than 2048 bytes"}


def test_a_streamed_body_over_the_limit_is_a_413(make_client):
    client = make_client(max_body_bytes=2048)

    def chunks():
        for _ in range(64):
            yield b" " * 1024

    response = client.post("/v1/decisions", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_batch_size_is_bounded_by_the_body_limit_too(make_client, applicant):
    client = make_client(max_body_bytes=2048)
    response = client.post("/v1/decisions:batch", json={"applicants": [applicant] * 50})
    assert response.status_code == 413
