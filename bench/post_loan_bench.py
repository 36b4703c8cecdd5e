"""Post-loan ageing at scale (issue 12, section 4): 1M approved loans aged 24 months.

A book of LOANS approved loans of the consumer instalment product (12-month PDs drawn like its approved
sample's, limits, APRs and bands), aged MONTHS months by validation.analysis.post_loan.age_book: the
chain in numpy, then each month's monitoring fields drawn and the early-warning rules evaluated in DuckDB,
rolls, balances and collections counted. Baseline in the same run: the chain alone
(validation.data.performance.draw_paths), the floor any ageing pays. Median of REPEATS runs; peak RSS of
the process.

    .venv/bin/python bench/post_loan_bench.py [--loans 1000000] [--months 24] [--repeats 3]

Prints a Markdown table and the machine line; writes bench/results/post_loan.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SPEC = ROOT / "product_specs" / "catalog" / "consumer_instalment_loan.yaml"


def _book(checked, loans: int):
    import numpy as np
    import pyarrow as pa

    from validation.analysis.simulate import SimulationResult

    rng = np.random.default_rng(2026)
    pd12 = np.clip(rng.beta(1.3, 80, loans), 1e-5, 0.5)
    bands = np.array(["a", "b", "c", "d"])[np.minimum((pd12 * 120).astype(int), 3)]
    table = pa.table({
        "decision": pa.array(["approve"] * loans), "segment": pa.array(["existing_prime"] * loans),
        "band": pa.array(bands), "limit": np.round(rng.lognormal(10.3, 0.6, loans), -3),
        "apr": np.round(rng.uniform(0.07, 0.18, loans), 4), "pd": pd12, "true_pd_12m": pd12,
        "sim_row": np.arange(loans)})
    return SimulationResult(checked, table, "bench", 0.0)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from product_specs import load_checked
    from validation.analysis.post_loan import age_book
    from validation.data.performance import draw_paths

    checked = load_checked(SPEC)
    result = _book(checked, args.loans)
    pd12 = result.table["true_pd_12m"].to_numpy()
    terms = (([3, 6, 12, 24, 36] * (args.loans // 5 + 1))[:args.loans])
    age_book(result, 2)  # warm: imports, DuckDB
    chain, full = [], []
    report = None
    for _ in range(args.repeats):
        started = time.perf_counter()
        draw_paths(pd12, terms, args.months, 7, 180)
        chain.append(time.perf_counter() - started)
        started = time.perf_counter()
        report = age_book(result, args.months)
        full.append(time.perf_counter() - started)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    loan_months = args.loans * args.months
    rows = [
        ("chain alone (numpy, baseline)", statistics.median(chain)),
        ("full ageing: chain + monitoring + warnings in DuckDB + figures", statistics.median(full)),
    ]
    print("| step | median s | loan-months/s |\n| --- | ---: | ---: |")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.2f} | {loan_months / seconds:,.0f} |")
    print(f"\nfull / chain: {statistics.median(full) / statistics.median(chain):.1f}x; peak RSS {peak_mb:,.0f} MB; "
          f"M3+ at month 12: {report.m3plus_rate_12:.2%}, warnings {[w.code for w in report.warnings]}")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "post_loan.json").write_text(json.dumps({
        "loans": args.loans, "months": args.months, "repeats": args.repeats, "chain_s": chain, "full_s": full,
        "peak_rss_mb": peak_mb, "machine": machine}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
