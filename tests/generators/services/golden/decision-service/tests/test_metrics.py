"""`GET /metrics`: decisions by outcome and reason, latency, refusals, and the decision log's health."""

from __future__ import annotations

from collections import Counter

from conftest import EXAMPLES
from prometheus_client.parser import text_string_to_metric_families


def _samples(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_decisions_are_counted_by_outcome_and_reason(client, applicant):
    applicants = [e["applicant"] for e in EXAMPLES] or [applicant]
    outcomes, reasons = Counter(), Counter()
    for one in applicants:
        got = client.post("/v1/decisions", json=one).json()
        outcomes[got["decision"]] += 1
        reasons.update(r["code"] for r in got["reasons"])
    client.post("/v1/decisions:batch", json={"applicants": applicants[:1]})
    first = client.post("/v1/decisions", json=applicants[0]).json()
    outcomes[first["decision"]] += 2
    reasons.update(r["code"] for r in first["reasons"] * 2)
    samples = _samples(client)
    for outcome in ("approve", "refer", "decline"):
        assert samples[("decisions_total", (("outcome", outcome),))] == outcomes[outcome]
    for code, count in reasons.items():
        assert samples[("decision_reasons_total", (("code", code),))] == count
    assert samples[("decision_request_duration_seconds_count", (("endpoint", "decide"),))] == len(applicants) + 1
    assert samples[("decision_request_duration_seconds_count", (("endpoint", "batch"),))] == 1


def test_refused_requests_are_counted_by_status(client):
    client.post("/v1/decisions", json={})
    client.post("/v1/decisions", content=b"x", headers={"content-type": "text/plain"})
    samples = _samples(client)
    assert samples[("decision_requests_rejected_total", (("status", "422"),))] == 1
    assert samples[("decision_requests_rejected_total", (("status", "415"),))] == 1


def test_the_decision_log_is_measured(client):
    samples = _samples(client)
    for name in ("decision_log_written_total", "decision_log_dropped_total", "decision_log_write_failures_total",
                 "decision_log_queue_depth"):
        assert (name, ()) in samples, name
