"""Benchmark of the compiled tax SME decision (issue 3, item 6). Run by hand, not part of the tests.

    .venv/bin/python bench/run.py [--quick]        (or: make bench)

In one run, for product_specs/catalog/tax_sme_loan.yaml:
  a) per-decision latency of the generated `decide`, trace off and on;
  b) the same for a hand-written function of the same logic (bench/handwritten_tax_sme.py), after
     asserting that it agrees with the generated module on every output for 10,000 applicants;
  c) the same for zen-engine on the equivalent JDM graph (bench/tax_sme_jdm.json, rebuilt from the spec
     by bench/build_jdm.py), after checking and reporting its agreement on 10,000 applicants;
  d) rows/second and peak memory of the SQL simulation (DuckDB, the compiled query) from Parquet files of
     100k, 1M and 10M applicants (10M skipped with --quick) beside the generated `decide` in a Python
     loop over the same files; every measurement runs in a subprocess of its own (bench/throughput.py).
Prints a markdown report and writes it to bench/results/latest.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402
import zen  # noqa: E402

from bench.applicants import applicants_table  # noqa: E402
from bench.build_jdm import write_jdm  # noqa: E402
from bench.handwritten_tax_sme import decide as handwritten_decide  # noqa: E402
from generators.decision import decision_module  # noqa: E402
from product_specs import load_checked  # noqa: E402
from validation.data import sample_data  # noqa: E402

SPEC = ROOT / "product_specs" / "catalog" / "tax_sme_loan.yaml"
DATA = HERE / "data"
RESULTS = HERE / "results"
JDM = HERE / "tax_sme_jdm.json"
SEED = sample_data.DEFAULT_SEED
OUTPUTS = ("decision", "segment", "score", "band", "reasons", "limit", "apr")
PYTHON_LOOP_ROWS = 200_000  # the Python loop over the 1M and 10M files times this many rows


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- machine --------------------------------------------------------------------------------------
def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": mem / 1024 / 1024, "python": platform.python_version(),
            "duckdb": version("duckdb"), "zen": version("zen-engine"), "pyarrow": version("pyarrow"),
            "load": Path("/proc/loadavg").read_text().split()[:3]}


# --- agreement ------------------------------------------------------------------------------------
def _codes(reasons) -> list[str]:
    return [r["code"] if isinstance(r, dict) else r for r in reasons or []]


def _same(key: str, a, b) -> bool:
    if key == "reasons":
        return _codes(a) == _codes(b)
    if key in ("limit", "apr"):
        if a is None or b is None:
            return a is None and b is None
        return abs(a - b) <= (0.005 if key == "limit" else 1e-9)
    return a == b


def agreement(reference, other, applicants) -> dict[str, int]:
    """key -> number of applicants on which `other` gives the same value as `reference`."""
    same = dict.fromkeys(OUTPUTS, 0)
    for a in applicants:
        r, o = reference(a), other(a)
        for key in OUTPUTS:
            same[key] += _same(key, r[key], o.get(key))
    return same


# --- latency --------------------------------------------------------------------------------------
BATCH = 1000


def time_calls(fn, chunks: list[list[dict]], calls: int, trace=None) -> tuple[float, float]:
    """Median per-call wall time and CPU time (whole process, so engine threads count) in microseconds,
    over batches of BATCH calls, each batch timed with perf_counter_ns and process_time_ns."""
    wall, cpu = [], []
    perf, proc = time.perf_counter_ns, time.process_time_ns
    for b in range(max(1, calls // BATCH)):
        chunk = chunks[b % len(chunks)]
        if trace is None:
            start, start_cpu = perf(), proc()
            for applicant in chunk:
                fn(applicant)
        else:
            start, start_cpu = perf(), proc()
            for applicant in chunk:
                fn(applicant, trace)
        wall.append((perf() - start) / len(chunk) / 1000)
        cpu.append((proc() - start_cpu) / len(chunk) / 1000)
    return statistics.median(wall), statistics.median(cpu)


def time_batches(engine, chunks: list[list[dict]], calls: int) -> tuple[float, float]:
    wall, cpu = [], []
    for b in range(max(1, calls // BATCH)):
        requests = [{"key": "tax", "context": a} for a in chunks[b % len(chunks)]]
        start, start_cpu = time.perf_counter_ns(), time.process_time_ns()
        engine.evaluate_batch(requests)
        wall.append((time.perf_counter_ns() - start) / len(requests) / 1000)
        cpu.append((time.process_time_ns() - start_cpu) / len(requests) / 1000)
    return statistics.median(wall), statistics.median(cpu)


# --- data -----------------------------------------------------------------------------------------
def parquet_file(checked, rows: int) -> Path:
    """bench/data/<product>-<key>-<rows>.parquet: a population from validation/sample_data.py, generated
    once. The key covers the spec and the generator's code, as sample_data's own cache does."""
    DATA.mkdir(exist_ok=True)
    key = sample_data._cache_key(checked)  # noqa: SLF001 - the same key as the sample cache
    path = DATA / f"{checked.product_id}-{key}-{rows}.parquet"
    if path.exists():
        return path
    for stale in DATA.glob(f"{checked.product_id}-*-{rows}.parquet"):  # made for an earlier spec
        stale.unlink()
    log(f"generating {rows:,} applicants -> {path.relative_to(ROOT)}")
    sample_data.write(checked, path, rows, seed=SEED)
    return path


def realistic(checked, rows: int, seed: int) -> list[dict]:
    """Applicants from validation/sample_data.py as plain dicts (declared fields only, nulls as None)."""
    frame = sample_data.generate(checked, rows, seed)[[f.name for f in checked.spec.fields]]
    return pa.Table.from_pandas(frame, preserve_index=False).to_pylist()


def worker(mode: str, path: Path, *extra: str) -> dict:
    command = [sys.executable, str(HERE / "throughput.py"), mode, str(SPEC), str(path), *extra]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout)


def same_aggregate(sql: list, python: list) -> bool:
    """Counts and score totals equal per (decision, segment, band); limit and APR totals to rounding."""
    def keyed(rows):
        return {tuple(r[:3]): r[3:] for r in rows}

    a, b = keyed(sql), keyed(python)
    if a.keys() != b.keys():
        return False
    for key, (n, score, limit, apr, reasons) in a.items():
        n2, score2, limit2, apr2, reasons2 = b[key]
        if (n, score, reasons) != (n2, score2, reasons2):
            return False
        if (limit is None) != (limit2 is None) or (limit is not None and abs(limit - limit2) > 0.01 * n):
            return False
        if (apr is None) != (apr2 is None) or (apr is not None and abs(apr - apr2) > 1e-9 * n):
            return False
    return True


# --- report ---------------------------------------------------------------------------------------
def fmt_rate(x: float) -> str:
    return f"{x / 1e6:.2f}M" if x >= 1e6 else f"{x / 1e3:.0f}k"


def verdict(ok: bool) -> str:
    return "**pass**" if ok else "**FAIL**"


def report(info: dict, lat: dict, lat_cpu: dict, calls: dict, agree: dict, sims: list[dict], quick: bool,
           seconds: float) -> str:
    hand = lat["hand-written Python (bench/handwritten_tax_sme.py)"]
    gen_off = lat["generated `decide`, trace off"]
    gen_on = lat["generated `decide`, trace on"]
    zen_single = {k: v for k, v in lat.items() if k.startswith("zen-engine") and "batch" not in k}
    zen_best_name = min(zen_single, key=zen_single.get)
    zen_best = zen_single[zen_best_name]
    out = []
    w = out.append
    w("# Benchmark: tax_sme_loan 1.0.0")
    w("")
    w(f"`{'.venv/bin/python bench/run.py' + (' --quick' if quick else '')}` on {info['cpu']}, {info['cores']} cores, "
      f"{info['ram_gb']:.1f} GB RAM; Python {info['python']}, DuckDB {info['duckdb']}, zen-engine {info['zen']}, "
      f"pyarrow {info['pyarrow']}. Load average at start {' '.join(info['load'])}, at end "
      f"{' '.join(info['load_end'])}. Whole run {seconds / 60:.1f} min.")
    w("")
    w("## Per-decision latency")
    w("")
    w(f"Median of {info['rounds']} round medians; each round times batches of {BATCH} calls (perf_counter_ns) "
      f"over a pool of {info['pool']:,} distinct generated applicants; rounds interleave the implementations. "
      "CPU = process_time_ns over the same batches (all threads of the process), less sensitive to other load.")
    w("")
    w("| implementation | µs / decision | CPU µs | calls timed | × hand-written | × generated (trace off) |")
    w("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, us in lat.items():
        w(f"| {name} | {us:.2f} | {lat_cpu[name]:.2f} | {calls[name]:,} | {us / hand:.2f} | {us / gen_off:.2f} |")
    w("")
    w("## Agreement (checked before timing)")
    w("")
    labels = {"sample": "validation/sample_data.py population", "edge": "edge-heavy population (bench/applicants.py)"}
    w("Share of applicants on which each implementation gives the same output as the generated `decide` "
      "(limit to the cent, APR to 1e-9, reason codes in order).")
    w("")
    w("| compared with generated `decide` | applicants | " + " | ".join(OUTPUTS) + " |")
    w("| --- | ---: |" + " ---: |" * len(OUTPUTS))
    for label, a in agree.items():
        n = a["n"]
        for who, name in (("hand", "hand-written (asserted 100%)"), ("zen", "zen-engine")):
            w(f"| {name}, {labels[label]} | {n:,} | " + " | ".join(f"{a[who][k] / n:.2%}" for k in OUTPUTS) + " |")
    w("")
    w("## Simulation throughput (rows/s), Parquet in, peak memory per measurement")
    w("")
    w("| applicants | SQL (aggregate) | peak MB | SQL → Parquet (every row) | peak MB | Python loop | peak MB "
      "| SQL / Python loop |")
    w("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for s in sims:
        py = s["python"]
        star = "*" if py["rows"] < py["file_rows"] else ""
        w(f"| {s['rows']:,} | {fmt_rate(s['sql']['rows_per_s'])} | {s['sql']['peak_mb']:.0f} "
          f"| {fmt_rate(s['copy']['rows_per_s'])} | {s['copy']['peak_mb']:.0f} "
          f"| {fmt_rate(py['rows_per_s'])}{star} | {py['peak_mb']:.0f}{star} "
          f"| {s['sql']['rows_per_s'] / py['rows_per_s']:.1f}× |")
    w("")
    first = sims[0]
    w(f"DuckDB: {first['sql']['threads']} threads, a plain connection (external access must be on for "
      f"read_parquet), median of {len(first['sql']['times'])} runs of the query per size. "
      "SQL (aggregate) = the compiled query grouped by decision, segment and band with count, score, limit, "
      "APR and reason totals, as a simulation reports it. SQL → Parquet writes every field and output of "
      "every row. Python loop = Arrow batches -> dicts -> generated `decide(trace=False)` -> the same "
      f"aggregate, one thread. *timed on the first {PYTHON_LOOP_ROWS:,} rows of the file and extrapolated "
      "as rows/s; its peak memory is for that prefix. Resident memory before measuring: SQL worker "
      f"~{first['sql']['base_mb']:.0f} MB, Python worker ~{first['python']['base_mb']:.0f} MB. "
      f"SQL and Python aggregates of the {first['rows']:,} file identical: {first['aggregate_match']}.")
    w("")
    w("## Targets (issue 3)")
    w("")
    w("| target | measured | result |")
    w("| --- | --- | --- |")
    w(f"| generated `decide` (trace off) within 2× hand-written | {gen_off:.2f} µs vs {hand:.2f} µs = "
      f"{gen_off / hand:.2f}× | {verdict(gen_off <= 2 * hand)} |")
    batch = next(v for k, v in lat.items() if "evaluate_batch" in k)
    w(f"| generated `decide` (trace off) ≥ 10× faster than zen-engine | fastest zen call ({zen_best_name}) "
      f"{zen_best:.1f} µs = {zen_best / gen_off:.1f}× (zen's evaluate_batch, on both cores, amortises to "
      f"{batch:.1f} µs = {batch / gen_off:.1f}× the one-core generated call) | {verdict(zen_best >= 10 * gen_off)} |")
    ratios = [s["sql"]["rows_per_s"] / s["python"]["rows_per_s"] for s in sims]
    w(f"| SQL ≥ 3× the Python loop | {', '.join(f'{r:.1f}×' for r in ratios)} "
      f"({', '.join(format(s['rows'], ',') for s in sims)}) | {verdict(min(ratios) >= 3)} |")
    big = [s for s in sims if s["rows"] >= 10_000_000]
    if big:
        peak = max(big[0]["sql"]["peak_mb"], big[0]["copy"]["peak_mb"])
        w(f"| 10M applicants under 2.5 GB peak memory | SQL aggregate {big[0]['sql']['peak_mb']:.0f} MB, "
          f"SQL → Parquet {big[0]['copy']['peak_mb']:.0f} MB | {verdict(peak < 2500)} |")
    else:
        w("| 10M applicants under 2.5 GB peak memory | not run (--quick) | - |")
    w("")
    w(f"Trace on costs {gen_on / gen_off:.2f}× trace off.")
    return "\n".join(out) + "\n"


# --- main -----------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10M file, fewer rounds")
    parser.add_argument("--calls", type=int, default=100_000, help="calls per round for the Python functions")
    parser.add_argument("--pool", type=int, default=1_000, help="distinct applicants cycled through")
    args = parser.parse_args()
    began = time.perf_counter()
    info = machine()
    if float(info["load"][0]) > 0.5:
        log(f"warning: load average {info['load'][0]} before the run: other processes will slow the numbers")
    rounds = 3 if args.quick else 5
    info.update(rounds=rounds, pool=args.pool)

    checked = load_checked(SPEC)
    module = decision_module(checked)
    write_jdm(checked, JDM)
    content = JDM.read_text(encoding="utf-8")
    decision = zen.ZenEngine().create_decision(content)
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"tax": json.loads(content)}}})

    log("agreement on 10,000 + 10,000 applicants")
    populations = {"sample": realistic(checked, 10_000, SEED + 1),
                   "edge": applicants_table(checked, 10_000, seed=SEED + 2).to_pylist()}
    generated = module.decide

    def gen(a):
        return generated(a, trace=False)

    def zen_result(a):
        return engine.evaluate("tax", a)["result"]

    agree = {}
    for label, people in populations.items():
        hand = agreement(gen, handwritten_decide, people)
        wrong = {k: len(people) - v for k, v in hand.items() if v != len(people)}
        assert not wrong, (f"hand-written and generated decide disagree on {label} applicants ({wrong}): has the "
                           "spec changed? Update bench/handwritten_tax_sme.py to match it.")
        zen_same = agreement(gen, zen_result, people)
        for key in ("decision", "score"):
            assert zen_same[key] >= 0.99 * len(people), f"zen-engine agrees on {key} for only {zen_same[key]}"
        agree[label] = {"n": len(people), "hand": hand, "zen": zen_same}
    sample = populations["sample"]

    log("latency")
    pool = sample[: args.pool]
    chunks = [pool[i:i + BATCH] for i in range(0, len(pool), BATCH)] or [pool]
    zen_calls = 20_000 if not args.quick else 10_000
    plan = [
        ("hand-written Python (bench/handwritten_tax_sme.py)", handwritten_decide, None, args.calls),
        ("generated `decide`, trace off", generated, False, args.calls),
        ("generated `decide`, trace on", generated, True, args.calls),
        ("zen-engine `engine.evaluate(key, applicant)`, static loader", lambda a: engine.evaluate("tax", a),
         None, zen_calls),
        ("zen-engine `create_decision(jdm).evaluate(applicant)`", decision.evaluate, None, zen_calls // 4),
    ]
    per_round: dict[str, list[tuple[float, float]]] = {name: [] for name, *_ in plan}
    batch_name = f"zen-engine `evaluate_batch` ({BATCH} per call), per decision"
    per_round[batch_name] = []
    for _name, fn, trace, _calls in plan:  # warm up
        time_calls(fn, chunks, BATCH, trace)
    for r in range(rounds):
        for name, fn, trace, calls in plan:
            gc.collect()
            per_round[name].append(time_calls(fn, chunks, calls, trace))
        per_round[batch_name].append(time_batches(engine, chunks, zen_calls))
        log(f"round {r + 1}/{rounds}: " + ", ".join(f"{v[-1][0]:.2f}" for v in per_round.values()))
    lat = {name: statistics.median(w for w, _ in v) for name, v in per_round.items()}
    lat_cpu = {name: statistics.median(c for _, c in v) for name, v in per_round.items()}
    calls_done = {name: calls * rounds for name, _, _, calls in plan}
    calls_done[batch_name] = zen_calls * rounds

    sizes = [100_000, 1_000_000] + ([] if args.quick else [10_000_000])
    sims = []
    for rows in sizes:
        path = parquet_file(checked, rows)
        log(f"simulation {rows:,}")
        sql = worker("sql", path, "--repeats", "3")
        copy = worker("sql-parquet", path, "--repeats", "1" if rows >= 10_000_000 else "3")
        limit = [] if rows <= PYTHON_LOOP_ROWS else ["--limit", str(PYTHON_LOOP_ROWS)]
        python = worker("python", path, *limit)
        entry = {"rows": rows, "sql": sql, "copy": copy, "python": python}
        if python["rows"] == sql["rows"]:
            entry["aggregate_match"] = same_aggregate(sql["aggregate"], python["aggregate"])
            assert entry["aggregate_match"], "SQL and Python loop aggregates differ"
        sims.append(entry)
    info["load_end"] = Path("/proc/loadavg").read_text().split()[:3]
    text = report(info, lat, lat_cpu, calls_done, agree, sims, args.quick, time.perf_counter() - began)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(text, encoding="utf-8")
    (RESULTS / "latest.json").write_text(json.dumps({"machine": info, "latency_us": lat, "latency_cpu_us": lat_cpu,
                                                      "per_round_wall_cpu_us": per_round,
                                                      "agreement": agree, "simulation": sims}, indent=1,
                                                     default=str), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
