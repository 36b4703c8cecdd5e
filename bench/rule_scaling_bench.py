"""Cost as a product grows: the tax SME decision with 10, 50, 200 and 1,000 generated admission rules (issue 16,
item 5).

Each size adds N rules to the catalog's tax SME spec, drawn with a fixed seed: two conditions on the
spec's numeric fields (an `and` of two tails, or an `or` of a tail and a null test), thresholds at the
sample's 97th-99.9th percentiles so a rule fires for a few applicants in a hundred, half decline and half
refer, like a real strategy's long tail of policy rules. Per size it measures, on the same Parquet file:
- Python: the generated `decide(applicant)` per decision (validation included, no trace);
- SQL: the generated query's planning time (EXPLAIN) and its speed aggregated as a simulation would, with 1
  and 2 DuckDB threads;
and checks first that the two backends agree on every output for the first 20,000 applicants.

    .venv/bin/python bench/rule_scaling_bench.py [--rows 1000000] [--sizes 10,50,200,1000] [--repeats 3]

Prints a Markdown table and the machine line; writes bench/results/rule_scaling.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
SPEC = ROOT / "product_specs" / "catalog" / "tax_sme_loan.yaml"
OUTPUTS = ("decision", "segment", "score", "band", "reasons", "limit", "apr")
AGGREGATE = """SELECT decision, segment, band, count(*) AS n, sum(score) AS score, sum("limit") AS limit_total,
       sum(apr) AS apr_total, sum(len(reasons)) AS reason_count FROM ({query}) AS decided GROUP BY ALL ORDER BY ALL"""


def _rules(checked, table, count: int, seed: int = 5) -> list[dict]:
    """`count` admission rules on the spec's numeric input fields, thresholds from the data's upper tails."""
    import pyarrow.compute as pc

    from product_specs.sections import FieldType

    rng = random.Random(seed)
    numeric = [f for f in checked.spec.fields if f.type in (FieldType.INTEGER, FieldType.NUMBER)
               and f.name in table.column_names and f.network is None]
    tails = {}
    for f in numeric:
        values = table.column(f.name).slice(0, 200_000)
        qs = pc.quantile(values, q=[0.001, 0.01, 0.03, 0.97, 0.99, 0.999], skip_nulls=True).to_pylist()
        tails[f.name] = (f, qs)

    def tail(name: str) -> str:
        f, qs = tails[name]
        low, high = rng.choice([(qs[0], qs[5]), (qs[1], qs[4]), (qs[2], qs[3])])
        value = high if rng.random() < 0.6 else low
        op = ">" if value == high else "<"
        if f.type is FieldType.INTEGER:
            value = round(value)
        else:
            value = round(value, 4)
        return f"{name} {op} {value}"

    names = sorted(tails)
    out = []
    for i in range(count):
        a, b = rng.sample(names, 2)
        when = f"{tail(a)} and {tail(b)}" if rng.random() < 0.5 else f"{tail(a)} or ({tail(b)} and {b} is not null)"
        action = "decline" if i % 2 == 0 else "refer"
        out.append({"code": f"G{i:04d}", "name": {"zh": f"生成规则{i}", "en": f"Generated rule {i}"}, "when": when,
                    "action": action, "reason": {"zh": f"生成规则{i}命中", "en": f"Generated rule {i} hit"},
                    "category": "policy"})
    return out


def _spec_with(rules: list[dict]):
    import yaml

    from product_specs import load_checked

    data = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    data["admission"] = data["admission"] + rules
    data["product"]["version"] = f"1.{len(rules)}.0"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spec.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return load_checked(path)


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is None and b is None
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    return a == b


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sizes", default="10,50,200,1000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--python-calls", type=int, default=20_000)
    args = parser.parse_args()
    import duckdb

    from bench.hand_limit_bench import _population
    from generators.decision import decision_module
    from generators.sql.query import decision_sql
    from product_specs import load_checked

    base = load_checked(SPEC)
    table = _population(base, args.rows)
    people = table.slice(0, args.python_calls).to_pylist()
    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        checked = _spec_with(_rules(base, table, size))
        module = decision_module(checked)
        sql = decision_sql(checked, pretty=False)
        con = duckdb.connect()
        con.register("applicants", table.slice(0, len(people)))
        got = con.execute(f"SELECT {', '.join(chr(34) + k + chr(34) for k in OUTPUTS)} FROM ({sql})").fetchall()
        for i, (person, row) in enumerate(zip(people, got, strict=True)):
            want = module.decide(person, trace=False)
            for key, value in zip(OUTPUTS, row, strict=True):
                expected = [r["code"] for r in want["reasons"]] if key == "reasons" else want[key]
                if not _same(expected, value):
                    raise SystemExit(f"{size} rules: SQL and Python disagree on {key} for row {i}: {value!r} vs {expected!r}")
        declined = sum(r[0] == "decline" for r in got) / len(got)
        reasons = sum(len(r[4]) for r in got) / len(got)
        con.register("applicants", table)
        query = AGGREGATE.format(query=sql)
        started = time.perf_counter()
        con.execute("EXPLAIN " + query).fetchall()
        plan = time.perf_counter() - started
        speeds = {}
        for threads in (1, 2):
            con.execute(f"SET threads = {threads}")
            times = []
            for _ in range(args.repeats):
                started = time.perf_counter()
                con.execute(query).fetchall()
                times.append(time.perf_counter() - started)
            speeds[threads] = args.rows / statistics.median(times)
        con.close()
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            for p in people:
                module.decide(p, trace=False)
            times.append(time.perf_counter() - started)
        python = len(people) / statistics.median(times)
        results.append({"rules": size + len(base.admission), "generated": size, "declined": declined,
                        "reasons_per_applicant": reasons,
                        "plan_s": plan, "sql_1": speeds[1], "sql_2": speeds[2], "python": python})
        print(f"{size} rules done", file=sys.stderr, flush=True)
    print("| rules | declined | reasons per applicant | SQL plan | SQL 1 thread | SQL 2 threads | 2-thread speed-up | Python | SQL 2t / Python |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['rules']} | {r['declined']:.0%} | {r['reasons_per_applicant']:.1f} | {r['plan_s'] * 1000:.0f} ms | {r['sql_1'] / 1e3:,.0f}k rows/s | "
              f"{r['sql_2'] / 1e3:,.0f}k rows/s | {r['sql_2'] / r['sql_1']:.2f}x | {r['python'] / 1e3:,.1f}k/s | "
              f"{r['sql_2'] / r['python']:.1f}x |")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    print(f"\n{args.rows:,} rows, median of {args.repeats}; machine: {machine}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "rule_scaling.json").write_text(json.dumps({"rows": args.rows, "results": results, "machine": machine},
                                                          indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
