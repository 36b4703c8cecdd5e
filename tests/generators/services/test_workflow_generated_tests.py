"""The generated workflow services' own tests, run in Loan Studio's environment (its pins are the
services' pins: test_workflow_service.py checks they agree).

* every catalog product on SQLite, with small proofs;
* one product (tax_sme_loan) with the full proofs on SQLite (1,000 submissions each sent by 10 concurrent
  identical requests, 100 racing event pairs, 50 SIGKILLs), and on the PostgreSQL and MariaDB servers of
  the machine (127.0.0.1:5432 user postgres, 127.0.0.1:3306 user root; each run creates and drops its own
  database `ls_wf_<random>`). A missing server skips those runs with the reason, except under CI=true,
  where it fails them.

The bigger counts of the benchmark run are `-m slow` (and bench/README.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generators.services.workflow_service import generate_workflow_service
from product_specs import load_checked
from product_specs.catalog import catalog_paths

CATALOG = {p.stem: p for p in catalog_paths()}
FULL = "tax_sme_loan"
SERVERS = {
    "postgresql": ("postgresql+psycopg://postgres@127.0.0.1:5432/test", "PostgreSQL at 127.0.0.1:5432"),
    "mariadb": ("mysql+pymysql://root@127.0.0.1:3306/test", "MariaDB at 127.0.0.1:3306"),
}
SMALL = {"WORKFLOW_PROOF_SUBMISSIONS": "20", "WORKFLOW_PROOF_RACES": "10", "WORKFLOW_PROOF_KILLS": "2"}
FULL_PROOFS = {"WORKFLOW_PROOF_SUBMISSIONS": "1000", "WORKFLOW_PROOF_RACES": "100", "WORKFLOW_PROOF_KILLS": "50"}
SERVER_PROOFS = {"WORKFLOW_PROOF_SUBMISSIONS": "100", "WORKFLOW_PROOF_RACES": "50", "WORKFLOW_PROOF_KILLS": "5"}
BENCH_PROOFS = {"WORKFLOW_PROOF_SUBMISSIONS": "5000", "WORKFLOW_PROOF_RACES": "500", "WORKFLOW_PROOF_KILLS": "200"}


def _generate(name: str, out: Path) -> Path:
    return generate_workflow_service(load_checked(CATALOG[name]), out)


def _run(project: Path, **env) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WORKFLOW_", "DATABASE_URL"))}
    clean.update(env, PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
                          cwd=project, env=clean, capture_output=True, text=True)
    assert done.returncode == 0, (f"the generated tests failed in {project}:\n" + done.stdout[-6000:]
                                  + done.stderr[-3000:])
    assert " passed" in done.stdout.splitlines()[-1], done.stdout[-2000:]


def _server(kind: str) -> str:
    """The server's URL, after checking it answers; skip (or fail under CI=true) when it does not."""
    url, label = SERVERS[kind]
    try:
        if kind == "postgresql":
            import psycopg

            psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3").close()
        else:
            import pymysql

            pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", database="test",
                            connect_timeout=3).close()
    except Exception as err:  # noqa: BLE001 - any failure to connect means no server to test against
        reason = f"no {label} to run the workflow service's tests against ({type(err).__name__}: {err})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; CI must provide it", pytrace=False)
        pytest.skip(reason)
    return url


@pytest.mark.parametrize("name", sorted(set(CATALOG) - {FULL}))
def test_the_generated_tests_pass_on_sqlite(name, tmp_path):
    _run(_generate(name, tmp_path), **SMALL)


def test_the_proofs_on_sqlite(tmp_path):
    """1,000 submissions x 10 concurrent retries -> 1,000 applications; 100 racing pairs -> 100 winners;
    50 SIGKILLs lose nothing."""
    _run(_generate(FULL, tmp_path), **FULL_PROOFS)


@pytest.mark.parametrize("kind", sorted(SERVERS))
def test_the_generated_tests_pass_on_a_database_server(kind, tmp_path):
    url = _server(kind)
    _run(_generate(FULL, tmp_path), WORKFLOW_TEST_DATABASE_URL=url, **SERVER_PROOFS)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", *sorted(SERVERS)])
def test_the_benchmark_sized_proofs(kind, tmp_path):
    env = dict(BENCH_PROOFS)
    if kind != "sqlite":
        env["WORKFLOW_TEST_DATABASE_URL"] = _server(kind)
    _run(_generate(FULL, tmp_path), **env)
