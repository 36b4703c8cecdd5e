"""The transactional outbox: events are written in the transaction of the transition that caused them
(`add`), so nothing is announced that was not committed; a relay thread publishes them afterwards, in
order, and marks them published.

Delivery is at least once: a crash between publishing and marking publishes that batch again, so every
event carries its outbox `id` for consumers to recognise a repeat. Publishers: `log` (one JSON line on the
`outbox` logger, standard output unless configured), `jsonl:<path>` (appended and fsynced), `none` (kept in the table, for a consumer of your
own). Several instances may relay at once on PostgreSQL and MariaDB (`FOR UPDATE SKIP LOCKED`).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.metrics import Metrics
from app.db import Database, OutboxEvent, utcnow

__all__ = ["add", "Relay", "publisher"]

log = logging.getLogger("outbox")
_BATCH = 200


def add(session: Session, application_id: str, topic: str, payload: dict) -> None:
    """Queue an event in the caller's transaction."""
    session.add(OutboxEvent(application_id=application_id, topic=topic, payload=payload, created_at=utcnow()))


def _message(row: OutboxEvent) -> str:
    return json.dumps({"id": row.id, "topic": row.topic, "application_id": row.application_id,
                       "created_at": row.created_at.isoformat() + "Z", "payload": row.payload},
                      ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def publisher(spec: str):
    """The function that hands a batch of events (JSON lines) to the outside world."""
    if spec == "none":
        return None
    if spec == "log":
        if not log.handlers:  # unless the deployment configures the `outbox` logger: JSON lines on stdout
            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(logging.Formatter("%(message)s"))
            log.addHandler(handler)
            log.setLevel(logging.INFO)
            log.propagate = False
        return lambda lines: [log.info(line) for line in lines]
    path = spec.removeprefix("jsonl:")

    def append(lines: list[str]) -> None:
        with open(path, "a", encoding="utf-8") as out:
            out.write("".join(line + "\n" for line in lines))
            out.flush()
            os.fsync(out.fileno())

    return append


class Relay:
    """Publishes committed outbox events, oldest first, from a background thread."""

    def __init__(self, db: Database, spec: str, interval: float, metrics: Metrics):
        self.db = db
        self.publish = publisher(spec)
        self.interval = interval
        self.metrics = metrics
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failing: str | None = None

    def start(self) -> None:
        if self.publish is None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=30)
            self._thread = None

    @property
    def running(self) -> bool:
        return self.publish is None or (self._thread is not None and self._thread.is_alive())

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                while self.relay_once() == _BATCH and not self._stop.is_set():
                    pass
                self.failing = None
            except Exception as err:  # noqa: BLE001 - the relay keeps going; the error is shown and counted
                self.failing = f"outbox relay failing: {type(err).__name__}"
                self.metrics.outbox_failures.inc()
                log.exception("outbox relay round failed; retrying")
            self._stop.wait(self.interval)

    def relay_once(self) -> int:
        """Publish one batch of unpublished events; return how many."""
        def work(session: Session) -> int:
            rows = session.scalars(select(OutboxEvent).where(OutboxEvent.published_at.is_(None))
                                   .order_by(OutboxEvent.id).limit(_BATCH)
                                   .with_for_update(skip_locked=True)).all()
            if rows:
                self.publish([_message(r) for r in rows])
                now = utcnow()
                for r in rows:
                    r.published_at = now
            pending = session.scalar(select(func.count()).select_from(OutboxEvent)
                                     .where(OutboxEvent.published_at.is_(None)))
            self.metrics.outbox_pending.set(max(0, (pending or 0) - len(rows)))
            return len(rows)

        done = self.db.write(work)
        self.metrics.outbox_published.inc(done)
        return done
