"""The decision log: every decision appended to a database, off the request's critical path.

A request only puts its entry on a bounded queue; one writer thread takes entries in batches and inserts
them (SQLite by default, any SQLAlchemy URL through `DECISION_LOG_URL`). Nothing is lost silently:

- a full queue drops the new entry, counts it (`decision_log_dropped_total`) and says so in the log;
- a failing database counts the failure (`decision_log_write_failures_total`), says so, keeps the batch
  and retries it with a growing pause, while new entries wait in the queue;
- in both cases `GET /readyz` answers 503, so a load balancer sends traffic elsewhere;
- at shutdown the writer drains the queue; whatever it cannot write in time is counted and logged.

PII fields of the data dictionary are masked before an entry is written.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time

from sqlalchemy import JSON, Column, DateTime, Float, Integer, MetaData, String, Table, create_engine, event

from app.core.metrics import Metrics

__all__ = ["DecisionLog", "decision_log_table", "MASK"]

logger = logging.getLogger("decision_service.decision_log")

MASK = "***"
"""What a PII value becomes in the log."""

_metadata = MetaData()
decision_log_table = Table(
    "decision_log", _metadata,
    Column("decision_id", String(32), primary_key=True),
    Column("decided_at", DateTime(timezone=True), nullable=False, index=True),
    Column("product_id", String(64), nullable=False),
    Column("product_version", String(64), nullable=False),
    Column("spec_hash", String(64), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("segment", String(64)),
    Column("band", String(64)),
    Column("score", Integer),
    Column("pd", Float),
    Column("credit_limit", Float),
    Column("apr", Float),
    Column("reasons", JSON, nullable=False),
    Column("inputs", JSON, nullable=False),
    Column("outputs", JSON, nullable=False),
)

_STOP = object()
_HIGH_WATER = 0.9  # share of the queue in use at which the service reports itself unready


class DecisionLog:
    """A bounded queue and one writer thread."""

    def __init__(self, url: str, queue_size: int, batch_size: int, metrics: Metrics, pii: frozenset[str]):
        self.url = url
        self.batch_size = batch_size
        self.metrics = metrics
        self.pii = pii
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._high_water = max(1, int(queue_size * _HIGH_WATER))
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._deadline = float("inf")
        self._failing: str | None = None
        self._drops_unreported = 0
        self._last_drop_line = 0.0
        self._engine = None
        self._created = False
        metrics.log_queue.set_function(self._queue.qsize)

    # --- the request side ------------------------------------------------------------------------
    def append(self, decision_id: str, when: float, applicant: dict, result: dict) -> None:
        """Queue one decision for the log; never blocks. A full queue drops it, counted and logged."""
        try:
            self._queue.put_nowait((decision_id, when, applicant, result))
        except queue.Full:
            self._dropped(1)

    def problems(self) -> list[str]:
        """Why the log is not healthy (empty when it is)."""
        out = []
        if self._thread is None or not self._thread.is_alive():
            out.append("decision log writer is not running")
        if self._failing is not None:
            out.append(f"decision log writes are failing: {self._failing}")
        if self._queue.qsize() >= self._high_water:
            out.append(f"decision log queue is {self._queue.qsize()}/{self._queue.maxsize} full")
        return out

    # --- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._engine = _engine(self.url)
        self._thread = threading.Thread(target=self._run, name="decision-log-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued (for at most `timeout` seconds), then stop the writer."""
        if self._thread is None:
            return
        self._deadline = time.monotonic() + timeout
        self._stop.set()
        try:
            self._queue.put_nowait(_STOP)  # wakes the writer at once; a full queue keeps it busy anyway
        except queue.Full:
            pass
        self._thread.join(timeout + 1.0)
        left = 0
        while True:
            try:
                left += self._queue.get_nowait() is not _STOP
            except queue.Empty:
                break
        if left:
            self._dropped(left, at_exit=True)
        if self._engine is not None:
            self._engine.dispose()
        self._thread = None

    # --- the writer --------------------------------------------------------------------------------
    def _run(self) -> None:
        pending: list = []
        pause = 0.05
        while True:
            if not pending:
                pending = self._take()
                if not pending:
                    if self._stop.is_set():
                        return
                    continue
            try:
                self._write(pending)
            except Exception as err:  # noqa: BLE001 - any database error: count it, say it, retry the batch
                self.metrics.log_failures.inc()
                message = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"[:300]
                if self._failing is None:
                    logger.error("decision log: writing %d entries failed (%s); retrying", len(pending), message)
                self._failing = message
                if self._stop.is_set() and time.monotonic() >= self._deadline:
                    self._dropped(len(pending), at_exit=True)
                    return
                if self._stop.is_set():
                    time.sleep(min(pause, 0.2))
                else:
                    self._stop.wait(pause)
                pause = min(pause * 2, 5.0)
                continue
            self.metrics.log_written.inc(len(pending))
            if self._failing is not None:
                logger.warning("decision log: writes recovered")
                self._failing = None
            pending = []
            pause = 0.05

    def _take(self) -> list:
        try:
            first = self._queue.get(timeout=0.01 if self._stop.is_set() else 0.5)
        except queue.Empty:
            return []
        if first is _STOP:
            return []
        batch = [first]
        while len(batch) < self.batch_size:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                break
            batch.append(item)
        return batch

    def _write(self, entries: list) -> None:
        rows = [self._row(*entry) for entry in entries]
        with self._engine.begin() as connection:
            if not self._created:
                _metadata.create_all(connection)
                self._created = True
            connection.execute(decision_log_table.insert(), rows)

    def _row(self, decision_id: str, when: float, applicant: dict, result: dict) -> dict:
        inputs = {k: (MASK if k in self.pii and v is not None else v) for k, v in applicant.items()}
        outputs = {k: v for k, v in result.items() if k != "trace"}
        return {
            "decision_id": decision_id,
            "decided_at": dt.datetime.fromtimestamp(when, dt.UTC),
            "product_id": result["product_id"],
            "product_version": result["product_version"],
            "spec_hash": result["spec_hash"],
            "decision": result["decision"],
            "segment": result["segment"],
            "band": result["band"],
            "score": result["score"],
            "pd": result.get("pd"),
            "credit_limit": result["limit"],
            "apr": result["apr"],
            "reasons": [r["code"] for r in result["reasons"]],
            "inputs": inputs,
            "outputs": outputs,
        }

    def _dropped(self, count: int, at_exit: bool = False) -> None:
        self.metrics.log_dropped.inc(count)
        if at_exit:
            logger.error("decision log: %d entries could not be written before shutdown", count)
            return
        self._drops_unreported += count
        now = time.monotonic()
        if now - self._last_drop_line >= 1.0:  # one line a second at most, with the count since the last
            logger.error("decision log: queue full, %d entries dropped (see decision_log_dropped_total)",
                         self._drops_unreported)
            self._drops_unreported = 0
            self._last_drop_line = now


def _engine(url: str):
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):  # many readers beside one writer; durable enough per batch
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
    return engine
