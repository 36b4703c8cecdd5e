"""One throughput measurement in a process of its own, so that its peak memory (ru_maxrss) is clean.

    .venv/bin/python bench/throughput.py sql|sql-parquet|python SPEC PARQUET [--limit N] [--repeats R]

Prints one JSON object: rows, seconds (median of the repeats), rows_per_s, peak_mb (whole process, VmHWM),
base_mb (resident memory before the measurement: interpreter, imports, connection) and the aggregate
the run computed (count, score, limit and APR totals per decision, segment and band), which run.py uses
to check that the SQL query and the Python loop decided the same file the same way.

- `sql`: the compiled DuckDB query over read_parquet(PARQUET), aggregated as a simulation would
  (every output column is used, so nothing of the decision is optimised away).
- `sql-parquet`: the same query writing every row (all fields and outputs) to a Parquet file.
- `python`: the generated `decide(applicant, trace=False)` in a loop over the same file, read in Arrow
  batches and turned into dicts; `--limit` stops after that many rows.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from sqlglot import exp

from generators.decision import decision_module
from generators.sql.query import decision_sql
from product_specs import load_checked

AGGREGATE = """SELECT decision, segment, band, count(*) AS n, sum(score) AS score, sum("limit") AS limit_total,
       sum(apr) AS apr_total, sum(len(reasons)) AS reason_count
FROM ({query}) AS decided
GROUP BY ALL ORDER BY ALL"""


def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024  # kB
    return float("nan")


def _rss_mb() -> float:
    return _status_mb("VmRSS")


def _peak_mb() -> float:
    """Peak resident memory of this process: VmHWM. Not getrusage's ru_maxrss: on Linux it carries the
    parent's peak across fork and exec, so a worker started by a big run.py would report run.py's peak."""
    return _status_mb("VmHWM")


def _ru_maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def connection():
    """A plain DuckDB connection. `decision_connection()` disables external access, which also forbids
    read_parquet, so the benchmark opens its own: same settings otherwise, default threads."""
    import duckdb

    return duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})


def run_sql(spec: str, parquet: str, repeats: int, write: bool) -> dict:
    checked = load_checked(spec)
    con = connection()
    path = exp.Literal.string(str(Path(parquet).resolve())).sql("duckdb")
    con.execute(f"CREATE VIEW applicants AS SELECT * FROM read_parquet({path})")
    rows = con.execute("SELECT count(*) FROM applicants").fetchone()[0]
    query = decision_sql(checked, pretty=False)
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    base = _rss_mb()
    times, aggregate = [], None
    with tempfile.TemporaryDirectory(dir=Path(parquet).parent) as tmp:
        for _ in range(repeats):
            if write:
                out = exp.Literal.string(str(Path(tmp) / "decided.parquet")).sql("duckdb")
                start = time.perf_counter()
                con.execute(f"COPY ({query}) TO {out} (FORMAT parquet)")
                times.append(time.perf_counter() - start)
            else:
                start = time.perf_counter()
                result = con.execute(AGGREGATE.format(query=query)).fetchall()
                times.append(time.perf_counter() - start)
                aggregate = [list(r) for r in result]
    seconds = statistics.median(times)
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds, "times": times, "threads": threads,
            "base_mb": base, "peak_mb": _peak_mb(), "ru_maxrss_mb": _ru_maxrss_mb(), "aggregate": aggregate}


def run_python(spec: str, parquet: str, limit: int | None) -> dict:
    import pyarrow.parquet as pq

    checked = load_checked(spec)
    decide = decision_module(checked).decide
    source = pq.ParquetFile(parquet)
    total = source.metadata.num_rows
    wanted = total if limit is None else min(limit, total)
    base = _rss_mb()
    groups: dict[tuple, list] = {}
    done = 0
    start = time.perf_counter()
    fields = [f.name for f in checked.spec.fields]  # the file may hold more (e.g. outcome columns)
    for batch in source.iter_batches(batch_size=8192, columns=fields):
        for applicant in batch.to_pylist():
            d = decide(applicant, trace=False)
            key = (d["decision"], d["segment"], d["band"])
            g = groups.get(key)
            if g is None:
                g = groups[key] = [0, 0, None, None, 0]
            g[0] += 1
            g[1] += d["score"]
            if d["limit"] is not None:
                g[2] = (g[2] or 0) + d["limit"]
                g[3] = (g[3] or 0) + d["apr"]
            g[4] += len(d["reasons"])
            done += 1
            if done == wanted:
                break
        if done == wanted:
            break
    seconds = time.perf_counter() - start
    aggregate = [list(k) + v for k, v in sorted(groups.items())]
    return {"rows": done, "file_rows": total, "seconds": seconds, "rows_per_s": done / seconds,
            "base_mb": base, "peak_mb": _peak_mb(), "ru_maxrss_mb": _ru_maxrss_mb(), "aggregate": aggregate}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["sql", "sql-parquet", "python"])
    parser.add_argument("spec")
    parser.add_argument("parquet")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.mode == "python":
        result = run_python(args.spec, args.parquet, args.limit)
    else:
        result = run_sql(args.spec, args.parquet, args.repeats, write=args.mode == "sql-parquet")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
