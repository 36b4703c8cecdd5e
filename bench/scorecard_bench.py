"""Benchmark (issue 11): train a scorecard on 100,000 applicants with 20 candidate characteristics.

    .venv/bin/python bench/scorecard_bench.py [--rows 100000] [--runs 3]

The tax SME product's sample (`validation.data.sample_data`, seed 7) has exactly 20 scorable candidates
(18 fields and 2 derived features). Each run is the whole `train_scorecard` (read and derive features,
split, bin every candidate on the training split, select, fit, scale, calibrate, judge, re-derive the
example tests); the median of the runs is printed with the load average, and written to
bench/results/scorecard.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from product_specs import load_checked
    from validation.data.sample_data import generate
    from validation.model.features import scorable
    from validation.model.scorecard import TrainOptions, train_scorecard

    checked = load_checked(HERE.parent / "product_specs" / "catalog" / "tax_sme_loan.yaml")
    pii = {f.name for f in checked.spec.fields if f.pii}
    candidates = [n for n in scorable(checked) if n not in pii]
    data = generate(checked, args.rows, seed=7)
    load = [os.getloadavg()[0]]
    seconds, cpu = [], []
    for _ in range(args.runs):
        wall, proc = time.perf_counter(), time.process_time()
        result = train_scorecard(checked, data, TrainOptions(source="bench"))
        seconds.append(time.perf_counter() - wall)
        cpu.append(time.process_time() - proc)
        load.append(os.getloadavg()[0])
    out = {"rows": args.rows, "candidates": len(candidates), "selected": sum(c.selected for c in result.candidates),
           "runs": args.runs, "median_seconds": statistics.median(seconds), "median_cpu_seconds": statistics.median(cpu),
           "seconds": seconds, "load_average": load, "test_auc": result.report.test.auc,
           "cpus": os.cpu_count()}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "scorecard.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
