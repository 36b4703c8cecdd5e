"""Crash safety: a real server (uvicorn) is killed with SIGKILL at random moments while a client drives
applications through their lifecycle, retrying every request with its Idempotency-Key until it is answered,
and restarted each time (`WORKFLOW_PROOF_KILLS` kills, 20 by default). Afterwards: no application is lost,
none is half-transitioned, no loan was paid out twice, every event the client saw accepted is in the
history, and every announced outbox event was committed."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx2
from drive import CHECKS, applicant
from sqlalchemy import func, select

from app.db import Application, Disbursement, HistoryEntry, OutboxEvent
from app.lifecycle import PRODUCT

KILLS = int(os.environ.get("WORKFLOW_PROOF_KILLS", "20"))
ROOT = Path(__file__).resolve().parent.parent
LOAN_STATES = {"repaying", "overdue", "closed", "written_off"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The service in its own process, forked afresh by `forking_server.py` for every start, on the test's
    database, publishing its outbox to a file."""

    def __init__(self, url: str, outbox: Path, log: Path):
        self.url, self.outbox, self.log = url, outbox, log
        self.port = _free_port()
        self.pid: int | None = None
        env = {**os.environ, "WORKFLOW_DATABASE_URL": self.url, "WORKFLOW_OUTBOX_PUBLISHER": f"jsonl:{self.outbox}",
               "WORKFLOW_OUTBOX_INTERVAL_SECONDS": "0.05", "WORKFLOW_MIGRATE_ON_START": "false",
               "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("DATABASE_URL", None)
        with open(self.log, "ab") as out:
            self.zygote = subprocess.Popen([sys.executable, str(ROOT / "tests" / "forking_server.py"), str(self.port)],
                                           cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           stderr=out, text=True)

    def _alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
            return True
        except ProcessLookupError:
            return False

    def start(self) -> None:
        self.zygote.stdin.write("start\n")
        self.zygote.stdin.flush()
        line = self.zygote.stdout.readline()
        assert line.strip().isdigit(), f"the server could not start: {self.log.read_text(errors='replace')[-3000:]}"
        self.pid = int(line)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self._alive(), f"the server exited: {self.log.read_text(errors='replace')[-3000:]}"
            try:
                if httpx2.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    return
            except httpx2.HTTPError:
                time.sleep(0.01)
        raise AssertionError("the server did not start within 60 s")

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while self._alive() and time.monotonic() < deadline:
            time.sleep(0.005)

    def stop(self) -> None:
        if self.pid is not None and self._alive():
            os.kill(self.pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while self._alive() and time.monotonic() < deadline:
                time.sleep(0.01)
        self.zygote.stdin.close()
        self.zygote.wait(timeout=30)


class Driver(threading.Thread):
    """Drives applications to the end of their lifecycle; every request retried until the server answers."""

    def __init__(self, base: str, seed: int):
        super().__init__(daemon=True)
        self.http = httpx2.Client(base_url=base, timeout=10)
        self.random = random.Random(seed)
        self.stopping = threading.Event()
        self.keys: list[str] = []                      # every submission key sent
        self.accepted: dict[str, tuple[str, str]] = {}  # event key -> (application id, event) answered 2xx
        self.refused: list[tuple] = []
        self.error: BaseException | None = None

    def call(self, path: str, body: dict, key: str) -> httpx2.Response:
        while True:
            try:
                response = self.http.post(path, json=body, headers={"Idempotency-Key": key})
                if response.status_code != 503:
                    return response
            except httpx2.HTTPError:
                pass
            time.sleep(0.02)

    def event(self, app_id: str, n: int, event: str, **data) -> dict:
        key = f"{app_id}-{n}"
        response = self.call(f"/v1/applications/{app_id}/events", {"event": event, **data}, key)
        if response.status_code != 200:
            self.refused.append((app_id, event, response.status_code, response.text))
            raise AssertionError(f"{event} refused: {response.status_code} {response.text}")
        self.accepted[key] = (app_id, event)
        return response.json()

    def journey(self, number: int) -> None:
        key = f"crash-{number}"
        self.keys.append(key)
        response = self.call("/v1/applications", applicant("approve"), key)
        assert response.status_code in (200, 201), response.text
        app = response.json()
        steps = [(f"{c}_passed", {}) for c in CHECKS]
        steps += [("offer_accepted", {"term_months": PRODUCT["terms_months"][-1]}), ("contract_signed", {}),
                  ("disbursed", {"disbursement_id": f"pay-{number}", "date": "2026-01-10"})]
        for n, (event, data) in enumerate(steps):
            app = self.event(app["id"], n, event, **data)
        due = dt.date.fromisoformat(app["loan"]["schedule"][0]["due_date"])
        app = self.event(app["id"], len(steps), "payment_missed", as_of=(due + dt.timedelta(days=1)).isoformat())
        if app["state"] == "overdue":
            self.event(app["id"], len(steps) + 1, "repayment_received", amount=app["loan"]["outstanding"],
                       date="2030-01-01")

    def run(self) -> None:
        number = 0
        try:
            while not self.stopping.is_set():
                self.journey(number)
                number += 1
        except BaseException as err:  # noqa: BLE001 - reported by the test
            self.error = err


def test_sigkill_at_random_points_loses_nothing(db, tmp_path):
    outbox, log = tmp_path / "outbox.jsonl", tmp_path / "server.log"
    server = Server(db.url, outbox, log)
    server.start()
    driver = Driver(f"http://127.0.0.1:{server.port}", seed=KILLS)
    chaos = random.Random(7)
    try:
        driver.start()
        for _ in range(KILLS):
            time.sleep(chaos.uniform(0.02, 0.25))
            server.kill()
            server.start()
            assert driver.error is None, driver.error
        driver.stopping.set()
        driver.join(timeout=120)
        assert not driver.is_alive(), "the client did not finish its journey"
        assert driver.error is None, (driver.error, driver.refused[-3:])
        time.sleep(0.3)  # let the relay publish what is left
    finally:
        driver.stopping.set()
        server.stop()

    with db.read() as session:
        apps = {a.idempotency_key: a for a in session.scalars(select(Application))}
        assert sorted(apps) == sorted(driver.keys), "an application is lost or was made twice"
        for app in apps.values():
            history = session.scalars(select(HistoryEntry).where(HistoryEntry.application_id == app.id)
                                      .order_by(HistoryEntry.seq)).all()
            assert history[-1].to_state == app.state, f"{app.id}: half-transitioned"
            assert [h.seq for h in history] == list(range(1, len(history) + 1))
            keyed = [h for h in history if h.idempotency_key is not None]
            assert app.version == 1 + len(keyed), f"{app.id}: version and history disagree"
            paid = session.scalar(select(func.count()).select_from(Disbursement)
                                  .where(Disbursement.application_id == app.id))
            assert paid == (1 if app.state in LOAN_STATES else 0), f"{app.id}: {paid} payouts in {app.state}"
            assert (app.loan is not None) == (app.state in LOAN_STATES)
        recorded = {(h.application_id, h.idempotency_key) for h in session.scalars(
            select(HistoryEntry).where(HistoryEntry.idempotency_key.is_not(None)))}
        for key, (app_id, _event) in driver.accepted.items():
            assert (app_id, key) in recorded, f"accepted event {key} is not in the history"
        committed = {row.id: row.topic for row in session.scalars(select(OutboxEvent))}
        payouts = Counter(row.application_id for row in session.scalars(
            select(OutboxEvent).where(OutboxEvent.topic == "loan.disbursed")))
    assert all(count == 1 for count in payouts.values())
    published = []
    for line in (outbox.read_text(encoding="utf-8", errors="replace").splitlines() if outbox.exists() else []):
        try:
            published.append(json.loads(line))
        except ValueError:  # a line torn by a kill in the middle of a write (published again after it)
            continue
    for event in published:
        assert committed.get(event["id"]) == event["topic"], f"outbox event {event['id']} announced, never committed"
    assert len(driver.keys) >= 1
