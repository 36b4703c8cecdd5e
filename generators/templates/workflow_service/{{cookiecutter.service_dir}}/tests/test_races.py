"""Racing events: two different events sent at the same moment on one application: exactly one wins, the
other is a 409, and the history holds the winner only (`WORKFLOW_PROOF_RACES` pairs, 100 by default)."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from drive import TRANSITIONS, applicant, ok, send, submit
from sqlalchemy import select

from app.db import Application, HistoryEntry

PAIRS = int(os.environ.get("WORKFLOW_PROOF_RACES", "100"))


def test_racing_event_pairs_have_exactly_one_winner_each(client, db):
    apps = [ok(submit(client, applicant("approve"))) for _ in range(PAIRS)]
    state = apps[0]["state"]
    first, second = [e for e in TRANSITIONS[state] if e not in ("disbursed", "repayment_received", "payment_missed",
                                                                 "monitoring_update")][:2]
    results: dict[str, dict[str, int]] = {a["id"]: {} for a in apps}

    def race(app_id: str) -> None:
        gate = threading.Barrier(2)

        def one(event: str) -> None:
            gate.wait()
            results[app_id][event] = send(client, app_id, event).status_code

        threads = [threading.Thread(target=one, args=(e,)) for e in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(race, [a["id"] for a in apps]))
    winners = 0
    with db.read() as session:
        for app_id, got in results.items():
            assert sorted(got.values()) == [200, 409], (app_id, got)
            winner = next(e for e, status in got.items() if status == 200)
            winners += 1
            app = session.get(Application, app_id)
            events = session.scalars(select(HistoryEntry.event).where(HistoryEntry.application_id == app_id)).all()
            assert winner in events and ({first, second} - {winner}).isdisjoint(events), (app_id, events)
            assert app.version == 2
    assert winners == PAIRS
