"""Interactive latency (issue 16, item 4): what a product manager feels after every edit in the designer.

Warm: in this process, with every library imported and Great Expectations' context made by a first call
(the designer's process after its first run); median of REPEATS calls. Cold: a new `loanstudio` process
per call (the command line), median of COLD_REPEATS runs. Operations, on the tax SME product:
check (the spec text), decide (one applicant), simulate (figures and output checks, no report) and
validate (the data dictionary's checks over the file), on 20,000 and 100,000 applicants.

    .venv/bin/python bench/interactive_bench.py [--repeats 5] [--cold-repeats 3] [--rows 20000,100000]

Prints a Markdown table and the machine line; writes bench/results/interactive.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
SPEC = ROOT / "product_specs" / "catalog" / "tax_sme_loan.yaml"
TARGETS = {("check", None): 0.3, ("simulate", 100_000): 2.0, ("validate", 100_000): 3.0}


def _sample(rows: int) -> Path:
    from product_specs import load_checked
    from validation.data.sample_data import write

    path = DATA / f"interactive_tax_sme_{rows}.parquet"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        write(load_checked(SPEC), path, rows, seed=5)
    return path


def _median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def warm(rows: list[int], repeats: int) -> dict:
    from designer import use_cases
    from product_specs import load_checked
    from validation.data import expectations

    text = SPEC.read_text(encoding="utf-8")
    checked = load_checked(SPEC)
    applicant = json.loads(json.dumps(checked.spec.tests[0].applicant, default=float))  # as JSON would give it
    ops = {("check", None): lambda: use_cases.check_text(text, str(SPEC)),
           ("decide", None): lambda: use_cases.decide_applicant(checked, applicant)}
    for n in rows:
        path = _sample(n)
        ops[("simulate", n)] = lambda p=path: use_cases.simulate_product(checked, p)
        ops[("validate", n)] = lambda p=path: expectations.validate_data(checked, p)
    out = {}
    for key, fn in ops.items():
        fn()  # the first call imports what it needs and makes GX's context: the designer pays it once
        out[key] = _median_seconds(fn, repeats)
    return out


def cold(rows: list[int], repeats: int) -> dict:
    cli = [str(ROOT / ".venv" / "bin" / "loanstudio")]
    applicant = RESULTS / "interactive_applicant.json"
    from product_specs import load_checked

    RESULTS.mkdir(parents=True, exist_ok=True)
    applicant.write_text(json.dumps(load_checked(SPEC).spec.tests[0].applicant, default=float), encoding="utf-8")
    commands = {("check", None): [*cli, "check", str(SPEC)],
                ("decide", None): [*cli, "decide", str(SPEC), "--applicant", str(applicant), "--no-trace"]}
    for n in rows:
        path = str(_sample(n))
        commands[("simulate", n)] = [*cli, "simulate", str(SPEC), "--data", path, "--json"]
        commands[("validate", n)] = [*cli, "validate-data", str(SPEC), "--data", path]
    out = {}
    for key, command in commands.items():
        out[key] = _median_seconds(lambda c=command: subprocess.run(c, capture_output=True, check=False), repeats)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cold-repeats", type=int, default=3)
    parser.add_argument("--rows", default="20000,100000")
    args = parser.parse_args()
    rows = [int(r) for r in args.rows.split(",")]
    load = os.getloadavg()[0]
    w = warm(rows, args.repeats)
    c = cold(rows, args.cold_repeats)
    end_load = os.getloadavg()[0]
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    print(f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load average {load:.1f} at start, {end_load:.1f} at end")
    print("| operation | rows | warm ms (median) | cold s (median) | warm target | met |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    record = []
    for key in w:
        op, n = key
        target = TARGETS.get(key)
        met = "" if target is None else ("yes" if w[key] < target else "no")
        print(f"| {op} | {'' if n is None else f'{n:,}'} | {w[key] * 1000:,.3f} | {c[key]:.2f} | "
              f"{'' if target is None else f'< {target:g} s'} | {met} |")
        record.append({"operation": op, "rows": n, "warm_s": w[key], "cold_s": c[key], "target_s": target})
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "interactive.json").write_text(json.dumps({"load": [load, end_load], "results": record}, indent=2))


if __name__ == "__main__":
    sys.exit(main())
