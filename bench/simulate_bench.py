"""Benchmark of the strategy simulation (issue 4, item 5). Run by hand, not part of the tests.

    .venv/bin/python bench/simulate_bench.py [--rows 1000000] [--runs 3] [--product tax_sme_loan | --all]

For each product: writes a synthetic population of `--rows` applicants with validation.data.sample_data
(cached in bench/data/, git-ignored), then times `simulate` (Parquet -> DuckDB decision query -> Arrow)
and `compute_metrics` (every figure, in DuckDB SQL) `--runs` times after one warm-up run, and once each
a champion/challenger comparison (the product against itself with one cut-off raised: two simulations
and the comparison) and the HTML report. Prints a markdown table (medians) and writes it to
bench/results/simulate.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from product_specs import check_spec, load_checked  # noqa: E402
from product_specs.catalog import catalog_path, catalog_paths  # noqa: E402
from validation.analysis.compare import compare_products  # noqa: E402
from validation.analysis.metrics import compute_metrics  # noqa: E402
from validation.analysis.report import write_report  # noqa: E402
from validation.analysis.simulate import simulate  # noqa: E402
from validation.data import sample_data  # noqa: E402

DATA = HERE / "data"
RESULTS = HERE / "results"
SEED = 20240601


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    return (f"{cpu}, {os.cpu_count()} cores, {memory} GiB; Python {platform.python_version()}, "
            f"duckdb {version('duckdb')}, pyarrow {version('pyarrow')}")


def population(checked, rows: int) -> Path:
    path = DATA / f"sim-{checked.product_id}-{rows}-{SEED}-{checked.spec_hash[:12]}.parquet"
    if not path.is_file():
        log(f"writing {rows:,} applicants for {checked.product_id} to {path.name}")
        started = time.perf_counter()
        sample_data.write(checked, path, rows, SEED)
        log(f"  written in {time.perf_counter() - started:.1f} s")
    return path


def challenger_of(checked):
    """The product with the cut-off of its lowest approving band raised by up to 40 points."""
    spec = checked.spec.model_copy(deep=True)
    bands = spec.decision.bands
    approving = [i for i, b in enumerate(bands) if b.min_score is not None
                 and any(row[b.id].value == "approve" for row in spec.decision.matrix.values())]
    i = approving[-1]
    room = bands[i - 1].min_score - bands[i].min_score - 1 if i > 0 else 40
    bands[i].min_score += min(40, room)
    return check_spec(spec).checked


def bench_product(path: Path, rows: int, runs: int) -> dict:
    checked = load_checked(path)
    data = population(checked, rows)
    timings = []
    for run in range(runs + 1):
        started = time.perf_counter()
        result = simulate(checked, data)
        simulated = time.perf_counter()
        metrics = compute_metrics(result)
        done = time.perf_counter()
        if run:  # the first run warms the caches (compiled SQL, imports) and is not counted
            timings.append((simulated - started, done - simulated, done - started))
        log(f"  {checked.product_id} run {run}: simulate {simulated - started:.2f} s, "
            f"metrics {done - simulated:.2f} s" + ("" if run else " (warm-up)"))
    started = time.perf_counter()
    _, _, comparison = compare_products(checked, challenger_of(checked), data)
    compared = time.perf_counter() - started
    report = RESULTS / f"simulate-{checked.product_id}.html"
    started = time.perf_counter()
    write_report(report, metrics, comparison)
    reported = time.perf_counter() - started
    medians = [statistics.median(t[i] for t in timings) for i in range(3)]
    return {"product": checked.product_id, "rows": result.rows, "simulate": medians[0], "metrics": medians[1],
            "total": medians[2], "runs": [round(t[2], 2) for t in timings], "compare": compared, "report": reported,
            "approval": metrics.value("approval_rate"), "automation": metrics.value("automation_rate"),
            "bad_approved": metrics.value("bad_rate_approved"),
            "el_ratio": metrics.value("declined_to_approved_loss_ratio"), "swap_out": comparison.swap_out.count}


def markdown(results: list[dict], rows: int, runs: int, load: tuple[float, float]) -> str:
    lines = [f"Simulation of {rows:,} applicants per product; medians of {runs} runs after a warm-up run.",
             f"Machine: {machine()}. Load average (1 min) at start {load[0]:.1f}, at end {load[1]:.1f}: "
             "anything else running on the 2 cores slows every figure.", "",
             "| product | simulate (s) | metrics (s) | simulate + metrics (s) | rows/s | runs (s) | "
             "champion/challenger (s) | HTML report (s) |",
             "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |"]
    for r in results:
        lines.append(f"| {r['product']} | {r['simulate']:.2f} | {r['metrics']:.2f} | {r['total']:.2f} | "
                     f"{r['rows'] / r['total']:,.0f} | {', '.join(map(str, r['runs']))} | {r['compare']:.2f} | "
                     f"{r['report']:.2f} |")
    lines += ["", "Figures on the same population:", "",
              "| product | approval | automation | bad rate approved | EL declined / approved | swap-out (one cut-off "
              "raised) |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        lines.append(f"| {r['product']} | {r['approval']:.2%} | {r['automation']:.2%} | {r['bad_approved']:.2%} | "
                     f"{r['el_ratio']:.2f}x | {r['swap_out']:,} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--product", default="tax_sme_loan")
    which.add_argument("--all", action="store_true", help="every catalog product")
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    paths = catalog_paths() if args.all else [catalog_path(args.product)]
    start = os.getloadavg()[0]
    results = [bench_product(p, args.rows, args.runs) for p in paths]
    text = markdown(results, args.rows, args.runs, (start, os.getloadavg()[0]))
    (RESULTS / "simulate.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
