"""Benchmark of the generated workflow service over HTTP on loopback (issue 10), run by hand:

    .venv/bin/python bench/workflow_bench.py [--duration 10] [--connections 16] [--databases sqlite,postgresql]

The tax SME product's workflow service (`loanstudio generate`), one uvicorn process (uvloop, httptools, no
access log) on 127.0.0.1 per database, loaded by Debian's `wrk` (one thread, `--connections` connections,
`--duration` seconds per phase):

1. submit: `POST /v1/applications`, each request a new Idempotency-Key (pre-screen, persist, history, outbox);
2. decide: `POST /v1/applications/{id}/events` `kyc_passed` on the applications of phase 1, each once: the
   transition that runs the compiled decision (in process) and moves the application to its outcome's state;
3. event: `monitoring_update` on 500 disbursed loans picked at random (the early-warning rules evaluated, a
   history row, the version bump; two requests on one loan at the same moment give a 409, counted).

PostgreSQL: 127.0.0.1:5432 user postgres, a database `ls_wf_bench_<random>` created and dropped. Prints a
table and writes bench/results/workflow_latest.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from generators.services.workflow_service import generate_workflow_service  # noqa: E402
from product_specs import load_checked  # noqa: E402

SPEC = ROOT / "product_specs" / "catalog" / "tax_sme_loan.yaml"
RESULTS = HERE / "results"
LOANS = 500

SUBMIT_LUA = """
local body = %s
local n = 0
request = function()
  n = n + 1
  local headers = {["Content-Type"] = "application/json", ["Idempotency-Key"] = "bench-%s-" .. n}
  return wrk.format("POST", "/v1/applications", headers, body)
end
"""

IDS_LUA = """
local ids = {}
for line in io.lines("%s") do ids[#ids + 1] = line end
local n = 0
local body = %s
local pick = %s
request = function()
  n = n + 1
  local id = pick and ids[math.random(#ids)] or ids[((n - 1) %% #ids) + 1]
  return wrk.format("POST", "/v1/applications/" .. id .. "/events", {["Content-Type"] = "application/json"}, body)
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def post(base: str, path: str, body: dict, key: str | None = None) -> dict:
    headers = {"Content-Type": "application/json", **({"Idempotency-Key": key} if key else {})}
    request = urllib.request.Request(base + path, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(base: str, script: str, duration: int, connections: int, work: Path, pid: int) -> dict:
    lua = work / f"script-{uuid.uuid4().hex}.lua"
    before = cpu_seconds(pid)
    lua.write_text(script, encoding="utf-8")
    done = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(lua), base],
                          capture_output=True, text=True, check=True)
    out = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {m.group(1): m.group(2) for m in re.finditer(r"^\s+(50|99)%\s+(\S+)", out, re.MULTILINE)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    cpu = cpu_seconds(pid) - before
    return {"rate": rate, "p50": latency.get("50"), "p99": latency.get("99"), "requests": total,
            "non_2xx": int(errors.group(1)) if errors else 0, "server_cpu_s": cpu,
            "per_cpu_second": total / cpu if cpu else None}


def ids_from_submissions(url: str) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id FROM applications WHERE state = 'kyc' ORDER BY created_at")).all()
    engine.dispose()
    return [r[0] for r in rows]


def loans(base: str, applicant: dict) -> list[str]:
    out = []
    for n in range(LOANS):
        app = post(base, "/v1/applications", applicant, key=f"loan-{uuid.uuid4().hex}")
        post(base, f"/v1/applications/{app['id']}/events", {"event": "kyc_passed"})
        post(base, f"/v1/applications/{app['id']}/events", {"event": "offer_accepted"})
        post(base, f"/v1/applications/{app['id']}/events", {"event": "contract_signed"})
        post(base, f"/v1/applications/{app['id']}/events",
             {"event": "disbursed", "disbursement_id": f"pay-{n}-{uuid.uuid4().hex[:8]}", "date": "2026-01-10"})
        out.append(app["id"])
    return out


def run_database(kind: str, project: Path, args, work: Path) -> dict:
    data = json.loads((project / "tests" / "product.json").read_text(encoding="utf-8"))
    applicant = data["by_outcome"]["approve"]
    quiet = data["monitoring"]["quiet"]
    admin = None
    if kind == "sqlite":
        url = f"sqlite:///{work / 'bench.db'}"
    else:
        from sqlalchemy import create_engine, text

        name = f"ls_wf_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "PYTHONDONTWRITEBYTECODE": "1"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port",
                               str(port), "--loop", "uvloop", "--http", "httptools", "--no-access-log",
                               "--log-level", "warning"], cwd=project, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        out = {"submit": wrk(base, SUBMIT_LUA % (lua_string(json.dumps(applicant)), uuid.uuid4().hex[:8]),
                             args.duration, args.connections, work, server.pid)}
        ids = ids_from_submissions(url)
        (work / "ids.txt").write_text("\n".join(ids) + "\n", encoding="utf-8")
        out["decide"] = wrk(base, IDS_LUA % (work / "ids.txt", lua_string(json.dumps({"event": "kyc_passed"})),
                                             "false"), max(1, args.duration // 2), args.connections, work, server.pid)
        out["decide"]["applications_available"] = len(ids)
        (work / "loans.txt").write_text("\n".join(loans(base, applicant)) + "\n", encoding="utf-8")
        event = {"event": "monitoring_update", "values": quiet}
        out["event"] = wrk(base, IDS_LUA % (work / "loans.txt", lua_string(json.dumps(event)), "true"),
                           args.duration, args.connections, work, server.pid)
        return out
    finally:
        server.terminate()
        server.wait(timeout=30)
        if admin is not None:
            from sqlalchemy import text

            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)"))
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
               "load_before": os.getloadavg()[0], "duration_s": args.duration, "connections": args.connections}
    with tempfile.TemporaryDirectory(prefix="loanstudio-workflow-bench-") as tmp:
        work = Path(tmp)
        project = generate_workflow_service(load_checked(SPEC), work / "out")
        for kind in args.databases.split(","):
            results[kind] = run_database(kind, project, args, work)
    results["load_after"] = os.getloadavg()[0]
    lines = [f"machine: {results['machine']}; load average {results['load_before']:.1f} before, "
             f"{results['load_after']:.1f} after; wrk -t1 -c{args.connections}", "",
             "| database | phase | req/s | p50 | p99 | requests | non-2xx | server CPU ms/request | requests per server CPU-second |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for kind in args.databases.split(","):
        for phase in ("submit", "decide", "event"):
            r = results[kind][phase]
            lines.append(f"| {kind} | {phase} | {r['rate']:.0f} | {r['p50']} | {r['p99']} | {r['requests']} | "
                         f"{r['non_2xx']} | {1000 * r['server_cpu_s'] / max(1, r['requests']):.2f} | "
                         f"{r['per_cpu_second'] or 0:.0f} |")
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "workflow_latest.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / "workflow_latest.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
