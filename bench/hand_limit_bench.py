"""Generated code against hand-written code on the tax SME decision, in one run (issue 16, item 1).

Three pairs, each agreement-checked on every output before it is timed:
- DuckDB SQL: the compiled query (generators.sql) against the hand-written query
  (bench/handwritten_tax_sme_columnar.HAND_SQL), both aggregated as a simulation would, over the same
  Arrow table in memory;
- numpy: the compiled query against the hand-written numpy function (decide_numpy), which has no
  generated counterpart: the ratio is the generated SQL's time over numpy's;
- Python: the generated `decide(applicant)` (no trace, the default) against bench/handwritten_tax_sme.decide
  (no validation) and decide_validated (the same checks of every field, straight-line), per decision.

    .venv/bin/python bench/hand_limit_bench.py [--rows 1000000] [--repeats 5] [--threads 2]

Medians of the repeats; prints a Markdown table and the machine line; writes bench/results/hand_limit.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data"
SPEC = ROOT / "product_specs" / "catalog" / "tax_sme_loan.yaml"
OUTPUTS = ("decision", "segment", "score", "band", "reasons", "limit", "apr")
AGGREGATE = """SELECT decision, segment, band, count(*) AS n, sum(score) AS score, sum("limit") AS limit_total,
       sum(apr) AS apr_total, sum(len(reasons)) AS reason_count FROM ({query}) AS decided GROUP BY ALL ORDER BY ALL"""


def _population(checked, rows: int):
    import pyarrow.parquet as pq

    from validation.data.sample_data import write

    path = DATA / f"hand_limit_tax_sme_{rows}.parquet"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        write(checked, path, rows, seed=16)
    return pq.read_table(path)


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
            return (a is None or (isinstance(a, float) and math.isnan(a))) == \
                (b is None or (isinstance(b, float) and math.isnan(b)))
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    return a == b


def _agree(name: str, reference: dict, other: dict, rows: int) -> None:
    for key in OUTPUTS:
        wrong = sum(not _same(reference[key][i], other[key][i]) for i in range(rows))
        if wrong:
            i = next(i for i in range(rows) if not _same(reference[key][i], other[key][i]))
            raise SystemExit(f"{name} disagrees with the generated query on {key} for {wrong} of {rows} rows "
                             f"(first: row {i}: {reference[key][i]!r} vs {other[key][i]!r})")


def _numpy_rows(out: dict) -> dict:
    codes = out["reason_codes"]
    matrix = out["reason_matrix"]
    reasons = [[codes[j] for j in row.nonzero()[0]] for row in matrix]
    as_none = lambda a: [None if math.isnan(v) else float(v) for v in a]  # noqa: E731
    return {"decision": list(out["decision"]), "segment": list(out["segment"]), "score": [int(s) for s in out["score"]],
            "band": list(out["band"]), "reasons": reasons, "limit": as_none(out["limit"]), "apr": as_none(out["apr"])}


def _timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--python-calls", type=int, default=50_000)
    args = parser.parse_args()
    import duckdb

    from bench.handwritten_tax_sme import decide as hand_python
    from bench.handwritten_tax_sme import decide_validated as hand_validated
    from bench.handwritten_tax_sme_columnar import HAND_SQL, decide_numpy
    from generators.decision import decision_module
    from generators.sql.query import decision_sql
    from product_specs import load_checked

    checked = load_checked(SPEC)
    table = _population(checked, args.rows)
    generated_sql = decision_sql(checked, source="applicants")
    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    con.register("applicants", table)

    # agreement, every output, on the first 100,000 rows
    check_rows = min(args.rows, 100_000)
    con.register("applicants", table.slice(0, check_rows))
    reference = con.execute(f"SELECT {', '.join(chr(34) + k + chr(34) for k in OUTPUTS)} FROM ({generated_sql})").fetchall()
    reference = {k: [r[i] for r in reference] for i, k in enumerate(OUTPUTS)}
    hand = con.execute(f"SELECT {', '.join(chr(34) + k + chr(34) for k in OUTPUTS)} FROM ({HAND_SQL})").fetchall()
    _agree("hand-written SQL", reference, {k: [r[i] for r in hand] for i, k in enumerate(OUTPUTS)}, check_rows)
    _agree("numpy", reference, _numpy_rows(decide_numpy(table.slice(0, check_rows))), check_rows)
    module = decision_module(checked)
    people = table.slice(0, min(check_rows, args.python_calls)).to_pylist()
    for i, person in enumerate(people):
        g, h = module.decide(person), hand_python(person)
        if hand_validated(person) != h:
            raise SystemExit(f"the validating hand-written function disagrees with the plain one on row {i}")
        for key in OUTPUTS:
            if not _same(g[key] if key != "reasons" else [r["code"] for r in g[key]], h[key]):
                raise SystemExit(f"hand-written Python disagrees on {key} for row {i}: {g[key]!r} vs {h[key]!r}")
    print(f"agreement: generated SQL = hand-written SQL = numpy on {check_rows:,} rows; generated decide = "
          f"hand-written Python on {len(people):,}", file=sys.stderr)

    con.register("applicants", table)
    sql_generated = _timed(lambda: con.execute(AGGREGATE.format(query=generated_sql)).fetchall(), args.repeats)
    sql_hand = _timed(lambda: con.execute(AGGREGATE.format(query=HAND_SQL)).fetchall(), args.repeats)
    numpy_hand = _timed(lambda: decide_numpy(table), args.repeats)
    py_generated = _timed(lambda: [module.decide(p) for p in people], max(1, args.repeats // 2))
    py_hand = _timed(lambda: [hand_python(p) for p in people], max(1, args.repeats // 2))
    py_valid = _timed(lambda: [hand_validated(p) for p in people], max(1, args.repeats // 2))

    rows = [
        ("DuckDB SQL, generated", f"{args.rows / sql_generated / 1e6:.2f}M rows/s", ""),
        ("DuckDB SQL, hand-written", f"{args.rows / sql_hand / 1e6:.2f}M rows/s",
         f"generated / hand = {sql_generated / sql_hand:.2f}x"),
        ("numpy, hand-written", f"{args.rows / numpy_hand / 1e6:.2f}M rows/s",
         f"generated SQL / numpy = {sql_generated / numpy_hand:.2f}x"),
        ("Python, generated decide (no trace: the default)", f"{py_generated / len(people) * 1e6:.2f} us/decision", ""),
        ("Python, hand-written, no validation", f"{py_hand / len(people) * 1e6:.2f} us/decision",
         f"generated / hand = {py_generated / py_hand:.2f}x"),
        ("Python, hand-written, validating the same fields", f"{py_valid / len(people) * 1e6:.2f} us/decision",
         f"generated / hand = {py_generated / py_valid:.2f}x"),
    ]
    print("| code | speed | ratio |\n| --- | ---: | --- |")
    for name, speed, ratio in rows:
        print(f"| {name} | {speed} | {ratio} |")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    print(f"\n{args.rows:,} rows, {args.threads} threads, median of {args.repeats}; machine: {machine}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "hand_limit.json").write_text(json.dumps({
        "rows": args.rows, "threads": args.threads, "sql_generated_s": sql_generated, "sql_hand_s": sql_hand,
        "numpy_s": numpy_hand, "python_generated_s": py_generated, "python_hand_s": py_hand,
        "python_hand_validated_s": py_valid,
        "python_calls": len(people), "machine": machine}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
