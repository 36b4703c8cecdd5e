"""The product spec's example tests, over HTTP, and what every decision carries."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES

from app import decision as compiled
from app.product import CHARACTERISTICS, PRODUCT, SCORE_REASONS_MAX
from app.service import probability_of_default


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_example_gives_the_expected_outcome(client, example):
    response = client.post("/v1/decisions", json=example["applicant"])
    assert response.status_code == 200, response.text
    got, expect = response.json(), example["expect"]
    assert got["decision"] == expect["decision"]
    for key in ("segment", "band", "score"):
        if key in expect:
            assert got[key] == expect[key], key
    if "reasons" in expect:
        assert [r["code"] for r in got["reasons"]] == expect["reasons"]
    if "limit" in expect:
        assert got["limit"] == pytest.approx(expect["limit"], abs=0.005)
    if "apr" in expect:
        assert got["apr"] == pytest.approx(expect["apr"], abs=1e-9)


def test_a_decision_is_the_compiled_decision_with_its_id_pd_and_texts(client, applicant):
    got = client.post("/v1/decisions", json=applicant).json()
    want = compiled.decide(applicant, trace=False)
    for key in ("decision", "segment", "score", "band", "limit", "apr", "channel", "reasons"):
        assert got[key] == want[key], key
    assert len(got["decision_id"]) == 32
    assert got["pd"] == want.get("pd", probability_of_default(want["score"]))
    assert 0 < got["pd"] < 1
    assert (got["product_id"], got["product_version"], got["spec_hash"]) == (
        PRODUCT["id"], PRODUCT["version"], PRODUCT["spec_hash"])
    texts = {r["code"]: r["text"] for r in PRODUCT["reasons"]}
    for reason in got["reasons"]:
        assert (reason["text_zh"], reason["text_en"]) == (texts[reason["code"]]["zh"], texts[reason["code"]]["en"])
    assert "trace" not in got
    if PRODUCT["second_scorecard"] is not None:  # two models: the second's score and grade, and the band of both
        assert (got["second_score"], got["second_grade"]) == (want["second_score"], want["second_grade"])
        assert got["pd"] == probability_of_default(got["score"], got["second_score"])
        first = next(s for s in compiled.decide(applicant, trace=True)["trace"] if s["step"] == "score")["first_band"]
        assert got["band"] == PRODUCT["second_scorecard"]["matrix"][first][got["second_grade"]]
    else:
        assert "second_score" not in got and "second_grade" not in got


def test_trace_on_request(client, applicant):
    got = client.post("/v1/decisions?trace=true", json=applicant).json()
    want = compiled.decide(applicant, trace=True)["trace"]
    assert [s["step"] for s in got["trace"]] == [s["step"] for s in want]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_declines_and_referrals_rank_the_points_lost(client, example):
    got = client.post("/v1/decisions", json=example["applicant"]).json()
    if got["decision"] == "approve":
        assert got["score_reasons"] == []
        return
    steps = compiled.decide(example["applicant"], trace=True)["trace"]
    points = next(s for s in steps if s["step"] == "score")["points"]
    lost = sorted(((best - points[f]["points"], -i, f) for i, (f, _, _, best, _) in enumerate(CHARACTERISTICS)
                   if points[f]["points"] < best), reverse=True)[:SCORE_REASONS_MAX]
    assert [r["field"] for r in got["score_reasons"]] == [f for _, _, f in lost]
    codes = {f: code for f, _, _, _, code in CHARACTERISTICS}
    for r in got["score_reasons"]:
        assert r["points_lost"] == r["max_points"] - r["points"] > 0
        assert r["reason_code"] == codes[r["field"]]


def test_pd_falls_as_the_score_rises():
    pds = [probability_of_default(score) for score in range(-2000, 3000, 50)]
    assert all(0.0 <= p <= 1.0 for p in pds)
    if PRODUCT["pd"]["slope"] < 0:
        assert pds == sorted(pds, reverse=True)
