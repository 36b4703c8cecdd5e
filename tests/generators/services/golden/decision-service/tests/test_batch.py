"""`POST /v1/decisions:batch`: the same decisions as one by one, in order, bounded in number."""

from __future__ import annotations

from conftest import EXAMPLES

from app.product import PRODUCT

_SAME = ("decision", "segment", "score", "band", "reasons", "limit", "apr", "channel")


def test_a_batch_decides_like_single_requests_in_order(client, applicant):
    applicants = [e["applicant"] for e in EXAMPLES] or [applicant]
    response = client.post("/v1/decisions:batch", json={"applicants": applicants})
    assert response.status_code == 200, response.text
    decisions = response.json()["decisions"]
    assert len(decisions) == len(applicants)
    for one, got in zip(applicants, decisions, strict=True):
        single = client.post("/v1/decisions", json=one).json()
        assert {k: got[k] for k in _SAME} == {k: single[k] for k in _SAME}
        assert got["decision_id"] != single["decision_id"]


def test_an_empty_batch_is_fine(client):
    assert client.post("/v1/decisions:batch", json={"applicants": []}).json() == {"decisions": []}


def test_more_than_the_configured_number_is_a_422(make_client, applicant):
    client = make_client(batch_max=2)
    assert client.post("/v1/decisions:batch", json={"applicants": [applicant] * 2}).status_code == 200
    response = client.post("/v1/decisions:batch", json={"applicants": [applicant] * 3})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", "applicants"], "type": "too_long",
                                          "msg": "At most 2 applicants in one batch, got 3"}]


def test_a_bad_applicant_is_named_by_its_index(client, applicant):
    name = PRODUCT["fields"][0]["name"]
    bad = {**applicant, name: [1]}
    response = client.post("/v1/decisions:batch", json={"applicants": [applicant, bad]})
    assert response.status_code == 422
    assert ["body", "applicants", 1, name] in [e["loc"] for e in response.json()["detail"]]


def test_the_batch_body_is_an_object_of_applicants_only(client, applicant):
    response = client.post("/v1/decisions:batch", json={"applicants": applicant})
    assert response.status_code == 422
    response = client.post("/v1/decisions:batch", json={"applicants": [applicant], "extra": 1})
    assert response.status_code == 422
