"""Prometheus metrics of one service instance (its own registry, served at `GET /metrics`)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["Metrics", "CONTENT_TYPE_LATEST"]

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    """Decisions by outcome and reason, request latency, and the health of the decision log."""

    def __init__(self, outcomes: tuple[str, ...], reason_codes: tuple[str, ...]):
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.decisions = Counter("decisions", "Decisions made, by outcome.", ["outcome"], registry=r)
        self.reasons = Counter("decision_reasons", "Reason codes given, by code.", ["code"], registry=r)
        self.latency = Histogram("decision_request_duration_seconds",
                                 "Time to read, check and decide a request and queue its log entries.",
                                 ["endpoint"], buckets=_LATENCY_BUCKETS, registry=r)
        self.rejected = Counter("decision_requests_rejected", "Requests refused before a decision, by status.",
                                ["status"], registry=r)
        self.log_written = Counter("decision_log_written", "Decision log entries written.", registry=r)
        self.log_dropped = Counter("decision_log_dropped",
                                   "Decision log entries dropped because the queue was full.", registry=r)
        self.log_failures = Counter("decision_log_write_failures",
                                    "Failed writes of the decision log (retried).", registry=r)
        self.log_queue = Gauge("decision_log_queue_depth", "Decision log entries waiting to be written.",
                               registry=r)
        # children resolved once: `.labels()` on every request costs more than the increment
        self.by_outcome = {o: self.decisions.labels(o) for o in outcomes}
        self.by_reason = {c: self.reasons.labels(c) for c in reason_codes}
        self.single_latency = self.latency.labels("decide")
        self.batch_latency = self.latency.labels("batch")

    def count(self, result: dict) -> None:
        """Count one decision and its reasons."""
        self.by_outcome[result["decision"]].inc()
        for reason in result["reasons"]:
            self.by_reason[reason["code"]].inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
