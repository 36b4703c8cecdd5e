"""Prometheus metrics of one service instance (its own registry, served at `GET /metrics`)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["Metrics", "CONTENT_TYPE_LATEST"]

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """Transitions by event, refused events, conflicts, the outbox, request latency."""

    def __init__(self):
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.transitions = Counter("workflow_transitions", "Events applied, by event and resulting state.",
                                   ["event", "state"], registry=r)
        self.submissions = Counter("workflow_submissions", "Applications submitted (replays not counted).",
                                   registry=r)
        self.replays = Counter("workflow_idempotent_replays", "Requests answered from an earlier one.", registry=r)
        self.refused = Counter("workflow_requests_refused", "Requests refused, by status.", ["status"], registry=r)
        self.conflicts = Counter("workflow_conflicts", "Events that lost a race (409).", registry=r)
        self.outbox_published = Counter("workflow_outbox_published", "Outbox events handed to the publisher.",
                                        registry=r)
        self.outbox_failures = Counter("workflow_outbox_failures", "Failed outbox relay rounds (retried).",
                                       registry=r)
        self.outbox_pending = Gauge("workflow_outbox_pending", "Outbox events not yet published.", registry=r)
        self.latency = Histogram("workflow_request_duration_seconds", "Time to answer a request.", ["route"],
                                 buckets=_BUCKETS, registry=r)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
