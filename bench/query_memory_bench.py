"""Peak memory of deciding a large population with every output materialised: the generated decision query
against the hand-written one (issue 16, targets: within 1.3x of the hand query's peak; 10M applicants under
2 GB).

Each query runs in its own process, reading the tax SME sample straight from Parquet in DuckDB (2 threads)
and fetching `decision, segment, score, band, reasons, limit, apr` for every applicant into one Arrow table
(what a caller holding every decision pays). The process's peak resident memory is reported, beside that of
a process that only reads the file's columns into Arrow (the baseline of holding the data).

    .venv/bin/python bench/query_memory_bench.py [--rows 10000000]

The sample file is written once to bench/data/ (10M rows: ~3 minutes, ~1.5 GB).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / "data"
SPEC = ROOT / "product_specs" / "catalog" / "tax_sme_loan.yaml"
OUTPUTS = ("decision", "segment", "score", "band", "reasons", "limit", "apr")


def _child(kind: str, path: str) -> None:
    import duckdb

    from bench.handwritten_tax_sme_columnar import HAND_SQL
    from generators.sql.query import decision_sql
    from product_specs import load_checked

    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(f"CREATE VIEW applicants AS SELECT * FROM read_parquet('{path}')")
    started = time.perf_counter()
    if kind == "read":
        table = con.sql("SELECT * FROM applicants").to_arrow_table()
    else:
        query = decision_sql(load_checked(SPEC)) if kind == "generated" else HAND_SQL
        columns = ", ".join(f'"{c}"' for c in OUTPUTS)
        table = con.sql(f"SELECT {columns} FROM ({query})").to_arrow_table()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{table.num_rows} {seconds:.3f} {peak:.0f} {table.nbytes / 2**20:.0f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return 0
    import duckdb

    from product_specs import load_checked
    from validation.data.sample_data import write

    path = DATA / f"memory_tax_sme_{args.rows}.parquet"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        print(f"writing {args.rows:,} sample applicants to {path}", file=sys.stderr)
        write(load_checked(SPEC), path, args.rows, seed=16)
    rows = []
    for kind in ("read", "hand", "generated"):
        done = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True,
                              check=True)
        n, seconds, peak, held = done.stdout.split()
        rows.append((kind, int(n), float(seconds), float(peak), float(held)))
        print(f"{kind} done", file=sys.stderr, flush=True)
    hand = next(r for r in rows if r[0] == "hand")
    names = {"read": "read every column into Arrow (no decision)", "hand": "hand-written query",
             "generated": "generated query"}
    print("| process | seconds | peak RSS | result held | peak / hand |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for kind, _, seconds, peak, held in rows:
        print(f"| {names[kind]} | {seconds:.1f} s | {peak:,.0f} MiB | {held:,.0f} MiB | {peak / hand[3]:.2f}x |")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    print(f"\n{args.rows:,} rows, 2 threads; machine: {machine}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
