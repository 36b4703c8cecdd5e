"""The decision log: every decision appended to a database, off the request's critical path.

A request only appends its entry to a bounded in-memory queue; one writer thread takes what is queued
every 50 ms and inserts it in one transaction (SQLite by default, any SQLAlchemy URL through
`DECISION_LOG_URL`). Nothing is lost silently:

- a full queue drops the new entry, counts it (`decision_log_dropped_total`) and says so in the log;
- a failing database counts the failure (`decision_log_write_failures_total`), says so, keeps the batch
  and retries it with a growing pause, while new entries wait in the queue;
- a row the database refuses for what it holds (a constraint) is dropped, counted and named in the log,
  and the rest of its batch is written;
- in every case `GET /readyz` answers 503 while it lasts, so a load balancer sends traffic elsewhere;
- at shutdown the writer drains the queue; whatever it cannot write in time is counted and logged.

PII fields of the data dictionary are masked before an entry is written. The JSON columns are text
(`reasons`, `inputs`, `outputs`: the answer exactly as it was sent) and `decided_at` is ISO-8601 UTC text,
so the writer does the least work per row: it shares the process, and its CPU is the requests' CPU.
"""

from __future__ import annotations

import collections
import logging
import threading
import time

from pydantic_core import to_json
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, event
from sqlalchemy.exc import DataError, IntegrityError

from app.core.metrics import Metrics

__all__ = ["DecisionLog", "decision_log_table", "MASK"]

logger = logging.getLogger("decision_service.decision_log")

MASK = "***"
"""What a PII value becomes in the log."""

_metadata = MetaData()
decision_log_table = Table(
    "decision_log", _metadata,
    Column("decision_id", String(32), primary_key=True),
    Column("decided_at", String(32), nullable=False, index=True),
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
    Column("reasons", Text, nullable=False),
    Column("inputs", Text, nullable=False),
    Column("outputs", Text, nullable=False),
)

_HIGH_WATER = 0.9  # share of the queue in use at which the service reports itself unready
_LINGER = 0.05
"""Seconds between the writer's rounds: one transaction per decision would cost more than the decision;
one per 50 ms costs a few microseconds per entry."""


class DecisionLog:
    """A bounded queue and one writer thread."""

    def __init__(self, url: str, queue_size: int, batch_size: int, metrics: Metrics, pii: frozenset[str]):
        self.url = url
        self.batch_size = batch_size
        self.metrics = metrics
        self.pii = pii
        self.queue_size = queue_size
        self._queue: collections.deque = collections.deque()  # append and popleft are atomic: no lock
        self._high_water = max(1, int(queue_size * _HIGH_WATER))
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._deadline = float("inf")
        self._failing: str | None = None
        self._drops_unreported = 0
        self._last_drop_line = 0.0
        self._engine = None
        self._insert = None
        metrics.log_queue.set_function(self._queue.__len__)

    # --- the request side ------------------------------------------------------------------------
    def append(self, when: float, applicant: dict, result: dict, answer: bytes) -> None:
        """Queue one decision (`answer`: its JSON as sent) for the log; never blocks. A full queue drops it,
        counted and logged."""
        if len(self._queue) >= self.queue_size:
            self._dropped(1)
        else:
            self._queue.append((when, applicant, result, answer))

    def problems(self) -> list[str]:
        """Why the log is not healthy (empty when it is)."""
        out = []
        if self._thread is None or not self._thread.is_alive():
            out.append("decision log writer is not running")
        if self._failing is not None:
            out.append(f"decision log writes are failing: {self._failing}")
        if len(self._queue) >= self._high_water:
            out.append(f"decision log queue is {len(self._queue)}/{self.queue_size} full")
        return out

    # --- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._deadline = float("inf")
        self._engine = _engine(self.url)
        self._thread = threading.Thread(target=self._run, name="decision-log-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued (for at most `timeout` seconds), then stop the writer."""
        if self._thread is None:
            return
        self._deadline = time.monotonic() + timeout
        self._stop.set()
        self._thread.join(timeout + 1.0)
        left = len(self._queue)
        self._queue.clear()
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
                if not self._queue and self._stop.is_set():
                    return
                if len(self._queue) < self.batch_size and not self._stop.is_set():
                    self._stop.wait(_LINGER)  # let a batch gather (stop wakes it at once)
                pending = self._take()
                if not pending:
                    continue
            try:
                self._write(pending)
            except (IntegrityError, DataError) as err:  # a bad row, not a bad database: write the others
                self.metrics.log_failures.inc()
                pending = self._write_one_by_one(pending, err)
                continue
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
        batch = []
        take = self._queue.popleft
        try:
            while len(batch) < self.batch_size:
                batch.append(take())
        except IndexError:
            pass
        return batch

    def _write(self, entries: list) -> None:
        rows = [self._row(*entry) for entry in entries]
        with self._engine.begin() as connection:
            if self._insert is None:
                _metadata.create_all(connection)
                self._insert = _Insert(self._engine.dialect)
            self._insert.execute(connection, rows)

    def _write_one_by_one(self, entries: list, err: Exception) -> list:
        """Write each entry alone; drop (count and log) those the database refuses for what they hold.
        Returns the entries left to retry when the database itself fails meanwhile."""
        refused = []
        for i, entry in enumerate(entries):
            try:
                self._write([entry])
            except (IntegrityError, DataError):
                refused.append(entry[2]["decision_id"])
            except Exception:  # noqa: BLE001 - the database failed: retry the rest as a batch
                return entries[i:]
            else:
                self.metrics.log_written.inc()
        if refused:
            self.metrics.log_dropped.inc(len(refused))
            logger.error("decision log: the database refused %d entries (%s): %s", len(refused),
                         type(err).__name__, ", ".join(refused[:20]))
        return []

    def _row(self, when: float, applicant: dict, result: dict, answer: bytes) -> dict:
        pii = self.pii
        inputs = {k: (MASK if k in pii and v is not None else v) for k, v in applicant.items()} if pii else applicant
        seconds = int(when)
        return {
            "decision_id": result["decision_id"],
            "decided_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
            + f".{int((when - seconds) * 1_000_000):06d}+00:00",
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
            "reasons": to_json([r["code"] for r in result["reasons"]]).decode(),
            "inputs": to_json(inputs, inf_nan_mode="null").decode(),
            "outputs": answer.decode(),
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


class _Insert:
    """Insert rows with the fewest driver calls: one multi-row INSERT per chunk where the driver takes
    positional `?` or `%s` parameters (SQLite, MySQL), else the driver's executemany.

    Each driver call releases the GIL while the database works and must win it back from the request
    thread; SQLite's executemany does so once per row, which under load let the queue fill faster than
    rows were written (bench/README.md of Loan Studio). One statement per 500 rows does so once.
    """

    def __init__(self, dialect):
        compiled = decision_log_table.insert().compile(dialect=dialect)
        self.statement = compiled.string
        self.order = compiled.positiontup if compiled.positional else None
        head, _, group = self.statement.rpartition(" VALUES ")
        self.multi = head and dialect.paramstyle in ("qmark", "format") and self.order is not None
        self.head, self.group = head, group
        self.chunk = max(1, min(500, 30_000 // len(decision_log_table.columns)))  # SQLite: < 32,766 parameters
        self._statements: dict[int, str] = {}

    def execute(self, connection, rows: list[dict]) -> None:
        if not self.multi:
            params = [tuple(row[k] for k in self.order) for row in rows] if self.order else rows
            connection.exec_driver_sql(self.statement, params)
            return
        order = self.order
        for start in range(0, len(rows), self.chunk):
            chunk = rows[start:start + self.chunk]
            statement = self._statements.get(len(chunk))
            if statement is None:
                statement = self._statements.setdefault(
                    len(chunk), f"{self.head} VALUES {', '.join([self.group] * len(chunk))}")
            connection.exec_driver_sql(statement, tuple(row[k] for row in chunk for k in order))


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
