"""The tables and the database (SQLAlchemy 2): SQLite by default (WAL), PostgreSQL or MySQL/MariaDB by URL.

An application row carries a version column (`version_id_col`): every transition updates it with
`WHERE version = <the version read>`, so of two racing transitions exactly one commits and the other
finds no row to update (`StaleDataError`, answered 409). History, scheduled actions, warnings and
disbursements are only ever inserted. Amounts are whole cents (integers); times are UTC.

Writes on SQLite begin with `BEGIN IMMEDIATE` (one writer at a time, waiting up to the busy timeout),
so a write never fails half-way on a lock upgrade; MySQL/MariaDB run at READ COMMITTED.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

__all__ = ["Base", "Application", "HistoryEntry", "ScheduledAction", "WarningFired", "Disbursement",
           "OutboxEvent", "Database", "utcnow", "TABLES"]

T = TypeVar("T")

Id = String(32)
Name = String(64)
Key = String(200)
Cents = BigInteger()
Time = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
Serial = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements only INTEGER primary keys


def utcnow() -> dt.datetime:
    """Now in UTC, naive (every database stores it the same way), to the microsecond."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Application(Base):
    """One loan application, from submission to closing: its state and what it carries."""

    __tablename__ = "applications"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(Key, unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(Name)
    version: Mapped[int] = mapped_column(Integer)
    applicant: Mapped[dict] = mapped_column(JSON)
    decision: Mapped[dict | None] = mapped_column(JSON)
    offer: Mapped[dict | None] = mapped_column(JSON)
    loan: Mapped[dict | None] = mapped_column(JSON)
    outstanding_cents: Mapped[int] = mapped_column(Cents, default=0)
    days_past_due: Mapped[int] = mapped_column(Integer, default=0)
    bucket: Mapped[str | None] = mapped_column(Name)
    episode: Mapped[int] = mapped_column(Integer, default=0)
    monitoring: Mapped[dict | None] = mapped_column(JSON)
    active_warnings: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(Time)
    updated_at: Mapped[dt.datetime] = mapped_column(Time)
    stage_entered_at: Mapped[dt.datetime] = mapped_column(Time)
    due_at: Mapped[dt.datetime | None] = mapped_column(Time)

    __table_args__ = (Index("ix_applications_state_due", "state", "due_at"),)
    __mapper_args__ = {"version_id_col": version}


class HistoryEntry(Base):
    """One accepted event (or a step the service took itself): append-only."""

    __tablename__ = "history"

    id: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(Id, ForeignKey("applications.id"))
    seq: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(Name)
    actor: Mapped[str | None] = mapped_column(String(100))
    from_state: Mapped[str | None] = mapped_column(Name)
    to_state: Mapped[str] = mapped_column(Name)
    stage: Mapped[str | None] = mapped_column(Name)
    data: Mapped[dict] = mapped_column(JSON)
    at: Mapped[dt.datetime] = mapped_column(Time)
    idempotency_key: Mapped[str | None] = mapped_column(Key)
    request_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("application_id", "seq", name="uq_history_seq"),
                      UniqueConstraint("application_id", "idempotency_key", name="uq_history_key"))


class ScheduledAction(Base):
    """A collection action of the spec scheduled for one delinquency episode of a loan: append-only."""

    __tablename__ = "scheduled_actions"

    id: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(Id, ForeignKey("applications.id"))
    episode: Mapped[int] = mapped_column(Integer)
    action_index: Mapped[int] = mapped_column(Integer)
    bucket: Mapped[str] = mapped_column(Name)
    day: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(Name)
    due_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(Time)

    __table_args__ = (UniqueConstraint("application_id", "episode", "action_index", name="uq_action_once"),
                      Index("ix_scheduled_actions_due", "due_date"))


class WarningFired(Base):
    """An early-warning rule that started firing on a monitoring snapshot: append-only."""

    __tablename__ = "warnings"

    id: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(Id, ForeignKey("applications.id"))
    code: Mapped[str] = mapped_column(Name)
    level: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(Time)

    __table_args__ = (Index("ix_warnings_application", "application_id"),)


class Disbursement(Base):
    """The payout of a loan: at most one per application, and each payout id used once."""

    __tablename__ = "disbursements"

    id: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(Id, ForeignKey("applications.id"), unique=True)
    disbursement_id: Mapped[str] = mapped_column(String(100), unique=True)
    amount_cents: Mapped[int] = mapped_column(Cents)
    value_date: Mapped[dt.date] = mapped_column(Date)
    at: Mapped[dt.datetime] = mapped_column(Time)


class OutboxEvent(Base):
    """An event to announce, written in the transaction that caused it; the relay publishes it after."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Serial, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(Id)
    topic: Mapped[str] = mapped_column(Name)
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(Time)
    published_at: Mapped[dt.datetime | None] = mapped_column(Time)

    __table_args__ = (Index("ix_outbox_unpublished", "published_at", "id"),)


TABLES = ("outbox", "disbursements", "warnings", "scheduled_actions", "history", "applications")
"""Every table, children first (the order to empty them in)."""


def _transient(err: DBAPIError) -> bool:
    """A lock timeout, deadlock or serialization failure: the transaction may simply be run again."""
    orig = err.orig
    code = getattr(orig, "sqlstate", None) or ""
    if code in ("40001", "40P01", "55P03"):
        return True
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and args[0] in (1205, 1213):  # MySQL lock wait timeout, deadlock
        return True
    return "database is locked" in str(orig) or "database is busy" in str(orig)


class Database:
    """The engine and the two kinds of session: reads, and writes (one transaction each)."""

    def __init__(self, url: str, pool_size: int = 10, max_overflow: int = 20):
        self.url = url
        self.sqlite = url.startswith("sqlite")
        options: dict = {}
        if self.sqlite:
            options["connect_args"] = {"timeout": 60, "check_same_thread": False}
        else:  # a server may drop idle connections: test each one before use
            options.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=60, pool_pre_ping=True)
        if url.startswith(("mysql", "mariadb")):
            options["isolation_level"] = "READ COMMITTED"
        self.engine = create_engine(url, **options)
        if self.sqlite:
            _sqlite_events(self.engine)
        self._reads = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._writes = sessionmaker(bind=self.engine.execution_options(sqlite_immediate=True), expire_on_commit=False)
        # SQLite has one writer at a time: queue this process's writers here rather than in SQLite's busy
        # handler, which sleeps for milliseconds between tries (other processes still wait in it)
        self._one_writer = threading.Lock() if self.sqlite else contextlib.nullcontext()

    def read(self) -> Session:
        return self._reads()

    def write(self, work: Callable[[Session], T], attempts: int = 8) -> T:
        """Run `work` in one write transaction, committed at the end; run it again (a new transaction) after
        a lock timeout, deadlock or serialization failure."""
        for attempt in range(attempts):
            try:
                with self._one_writer, self._writes() as session, session.begin():
                    return work(session)
            except (OperationalError, DBAPIError) as err:
                if attempt == attempts - 1 or not _transient(err):
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_events(engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # transactions begin where we say (below), not in the driver
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=60000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("sqlite_immediate") else "BEGIN")
