"""Benchmark of the generated decision service over HTTP on loopback (issue 9), run by hand:

    .venv/bin/python bench/service_bench.py [--duration 10] [--rounds 3] [--connections 16]

Three servers, each one uvicorn process (uvloop, httptools, no access log) on 127.0.0.1, loaded in turn by
Debian's `wrk` (one thread, `--connections` connections, `--duration` seconds per round, rounds
interleaved) with POSTs of 500 distinct applicants of the tax SME product (validation's sample data):

- constant: a FastAPI endpoint that returns a constant (bench/constant_app.py), the floor of the stack;
- generated: `loanstudio generate` of the tax SME product, decision log on (SQLite, WAL);
- zen: the same generated service with zen-engine deciding (bench/zen_decision.py), decision log on.

Prints a table and writes bench/results/service_latest.{md,json}. Traffic goes to 127.0.0.1 only, every
run is bounded by `--duration`, and the servers are stopped (and their logs drained) at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from build_jdm import write_jdm  # noqa: E402

from generators.services import generate_decision_service  # noqa: E402
from product_specs import load_checked  # noqa: E402
from validation.data import sample_data  # noqa: E402

SPEC = ROOT / "product_specs" / "catalog" / "tax_sme_loan.yaml"
RESULTS = HERE / "results"
POOL = 500


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def applicants(checked) -> list[dict]:
    import pyarrow as pa

    frame = sample_data.generate(checked, POOL, 20240901)[[f.name for f in checked.spec.fields]]
    return pa.Table.from_pandas(frame, preserve_index=False).to_pylist()


def lua_script(bodies: list[str], path: Path) -> None:
    """A wrk script that cycles through the bodies, one per request."""
    lines = ["local bodies = {"]
    lines += [f"  [==[{b}]==]," for b in bodies]
    lines += ["}", "local i = 0", 'wrk.method = "POST"', 'wrk.headers["Content-Type"] = "application/json"',
              "request = function()", "  i = i % #bodies + 1",
              "  return wrk.format(nil, nil, nil, bodies[i])", "end"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class Server:
    def __init__(self, name: str, cwd: Path, module: str, env: dict):
        self.name, self.port = name, free_port()
        command = [sys.executable, "-m", "uvicorn", module, "--host", "127.0.0.1", "--port", str(self.port),
                   "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env, "PYTHONPATH": str(cwd)})
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/docs", timeout=1)
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"{name} did not start") from None
                time.sleep(0.2)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/decisions"

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wrk(url: str, script: Path, seconds: int, connections: int) -> dict:
    done = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency",
                           "-s", str(script), url], capture_output=True, text=True, check=True,
                          timeout=seconds + 60)
    out = done.stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "p50_ms": ms("50"), "p99_ms": ms("99"), "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else ""}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")
    return {"cpu": cpu, "cores": os.cpu_count(), "load": os.getloadavg(), "python": sys.version.split()[0],
            "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk round (bounded)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install wrk (Debian)")
    checked = load_checked(SPEC)
    info = machine()
    with tempfile.TemporaryDirectory(prefix="loanstudio-service-bench-") as tmp:
        work = Path(tmp)
        generated = generate_decision_service(checked, work / "out")
        zen_project = work / "zen-service"
        shutil.copytree(generated, zen_project)
        shutil.move(zen_project / "app" / "decision.py", zen_project / "app" / "compiled_decision.py")
        shutil.copyfile(HERE / "zen_decision.py", zen_project / "app" / "decision.py")
        write_jdm(checked, work / "jdm.json")
        script = work / "bodies.lua"
        pool = applicants(checked)
        lua_script([json.dumps(a, ensure_ascii=False) for a in pool], script)
        (work / "bodies.json").write_text(json.dumps(pool, ensure_ascii=False), encoding="utf-8")
        cpu = {}
        for name, cwd, target, env in (
                ("constant", HERE, "constant_app:app", {}),
                ("generated", generated, "app.main:app", {"DECISION_LOG_URL": f"sqlite:///{work / 'cpu-g.db'}"}),
                ("zen", zen_project, "app.main:app", {"DECISION_LOG_URL": f"sqlite:///{work / 'cpu-z.db'}",
                                                      "BENCH_JDM": str(work / "jdm.json")})):
            done = subprocess.run([sys.executable, str(HERE / "service_cpu.py"), str(cwd), target,
                                   str(work / "bodies.json")], cwd=cwd, env={**os.environ, **env},
                                  capture_output=True, text=True, check=True, timeout=600)
            cpu[name] = json.loads(done.stdout.strip().splitlines()[-1])["cpu_us"]
            print(f"cpu {name}: {cpu[name]}", flush=True)
        logs = {"generated": work / "generated.db", "zen": work / "zen.db"}
        servers = [Server("constant", HERE, "constant_app:app", {}),
                   Server("generated", generated, "app.main:app", {"DECISION_LOG_URL": f"sqlite:///{logs['generated']}"}),
                   Server("zen", zen_project, "app.main:app", {"DECISION_LOG_URL": f"sqlite:///{logs['zen']}",
                                                               "BENCH_JDM": str(work / "jdm.json")})]
        rounds: dict[str, list[dict]] = {s.name: [] for s in servers}
        warm: dict[str, int] = {}
        try:
            for s in servers:
                warm[s.name] = wrk(s.url, script, 3, args.connections)["requests"]
            for r in range(args.rounds):
                for s in servers:
                    rounds[s.name].append(wrk(s.url, script, args.duration, args.connections))
                    print(f"round {r + 1} {s.name}: {rounds[s.name][-1]}", flush=True)
            before_stop = {s.name: _log_metrics(s.port) for s in servers[1:]}
        finally:
            for s in servers:
                s.stop()
        written = {name: {"rows": _rows(path), "requests": warm[name] + sum(r["requests"] for r in rounds[name]),
                          **before_stop[name]} for name, path in logs.items()}
    info["load_end"] = os.getloadavg()
    report(info, rounds, written, cpu, args)


def _log_metrics(port: int) -> dict:
    """The decision log's counters of a running service, before it is stopped."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    values = {}
    for name in ("decision_log_written_total", "decision_log_dropped_total", "decision_log_write_failures_total"):
        found = re.search(rf"^{name} ([\d.e+]+)$", text, re.M)
        values[name.removeprefix("decision_log_").removesuffix("_total")] = int(float(found.group(1)))
    return values


def _rows(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as db:
        return db.execute("select count(*) from decision_log").fetchone()[0]


def _logged(w: dict) -> str:
    return (f"{w['requests']:,} requests (warm-up included): {w['rows']:,} rows written, {w['dropped']:,} dropped "
            f"(queue full, counted), {w['write_failures']} write failures")


def report(info: dict, rounds: dict, written: dict, cpu: dict, args) -> None:
    med = {name: {k: statistics.median(r[k] for r in runs) for k in ("rps", "p50_ms", "p99_ms")}
           for name, runs in rounds.items()}
    bad = {name: sum(r["non_2xx"] for r in runs) for name, runs in rounds.items()}
    const, gen, zen_ = med["constant"], med["generated"], med["zen"]
    lines = [f"Machine: {info['cpu']}, {info['cores']} cores (wrk and the server share them); Python "
             f"{info['python']}; {info['wrk']}; load average {info['load'][0]:.2f} at start, "
             f"{info['load_end'][0]:.2f} at end.", "",
             f"wrk -t1 -c{args.connections} -d{args.duration}s, {args.rounds} interleaved rounds (medians), "
             f"{POOL} distinct applicants cycled.", "",
             "| server | requests/s | p50 ms | p99 ms | non-2xx | x constant |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name in ("constant", "generated", "zen"):
        m = med[name]
        lines.append(f"| {name} | {m['rps']:,.0f} | {m['p50_ms']:.2f} | {m['p99_ms']:.2f} | {bad[name]} | "
                     f"{m['rps'] / const['rps']:.2f} |")
    lines += ["", "| target | measured | met |", "| --- | --- | --- |",
              f"| generated >= 70% of constant | {gen['rps'] / const['rps']:.0%} | "
              f"{'yes' if gen['rps'] >= 0.7 * const['rps'] else 'no'} |",
              f"| generated >= 1.5x zen-backed | {gen['rps'] / zen_['rps']:.2f}x | "
              f"{'yes' if gen['rps'] >= 1.5 * zen_['rps'] else 'no'} |",
              f"| p99 < 10 ms at {args.connections} connections, log on | {gen['p99_ms']:.2f} ms | "
              f"{'yes' if gen['p99_ms'] < 10 else 'no'} |",
              f"| every decision logged or counted as dropped | {_logged(written['generated'])} | "
              f"{'yes' if written['generated']['rows'] + written['generated']['dropped'] >= written['generated']['requests'] else 'no'} |"]
    per = {name: statistics.median(v) for name, v in cpu.items()}
    lines += ["", "CPU per request in process (bench/service_cpu.py: the ASGI app called directly, no HTTP, no "
              "wrk; every thread, the log writer's included; median of 3 rounds of 5,000 requests):", "",
              "| app | CPU µs / request | x constant | requests/s one core would give |",
              "| --- | ---: | ---: | ---: |"]
    for name in ("constant", "generated", "zen"):
        lines.append(f"| {name} | {per[name]:.1f} | {per[name] / per['constant']:.2f} | {1e6 / per[name]:,.0f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "service_latest.md").write_text(text, encoding="utf-8")
    (RESULTS / "service_latest.json").write_text(json.dumps({"machine": info, "rounds": rounds, "medians": med,
                                                             "log": written, "cpu_us": cpu}, indent=2),
                                                 encoding="utf-8")


if __name__ == "__main__":
    main()
