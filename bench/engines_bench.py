"""Benchmark of issue 13: simulation on Spark (local) vs DuckDB, and validate-data in DuckDB SQL vs pandas.

    .venv/bin/python bench/engines_bench.py [--sizes 1000000 10000000] [--runs 3] [--product tax_sme_loan]
                                            [--modes duckdb spark validate-sql validate-pandas]

For each size: writes a population with validation.data.sample_data (cached in bench/data/, git-ignored),
then, each measurement in its own process (so each peak memory is its own):
- `duckdb`: `simulate(checked, path)` (read + input checks + chunked decisions -> Arrow), every run;
- `spark`: `simulate_spark(checked, path)` on `local[2]`: session start-up once, then every run (Spark
  reads the Parquet, checks the inputs, decides, returns Arrow sorted by row), peak of Python and the JVM;
- `validate-sql`: `validate_data(checked, path)` (the GX suite in DuckDB SQL over the Parquet file);
- `validate-pandas`: the same suite on the file read into pandas (the route before), at 1M only.
Prints a markdown table of medians and writes it to bench/results/engines-<sizes>.md.
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
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

DATA = HERE / "data"
RESULTS = HERE / "results"
SEED = 20240601


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def peak_mb(pid: int | str = "self") -> float:
    """VmHWM of a process in MB (its own peak, unlike ru_maxrss, which survives fork and exec)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def population(product: str, rows: int) -> Path:
    from product_specs import load_checked
    from product_specs.catalog import catalog_path
    from validation.data import sample_data

    checked = load_checked(catalog_path(product))
    path = DATA / f"engines-{product}-{rows}-{SEED}-{checked.spec_hash[:12]}.parquet"
    if not path.is_file():
        DATA.mkdir(parents=True, exist_ok=True)
        log(f"writing {rows:,} applicants to {path.name}")
        chunk = 1_000_000
        if rows <= chunk:
            sample_data.write(checked, path, rows, SEED)
        else:  # in chunks of 1M (seed + chunk number), so writing 10M does not hold 10M rows in pandas
            import pyarrow as pa
            import pyarrow.parquet as pq

            writer = None
            for i in range(rows // chunk):
                table = pa.Table.from_pandas(sample_data.generate(checked, chunk, SEED + i), preserve_index=False)
                table = table.set_column(table.column_names.index("applicant_id"), "applicant_id",
                                         pa.array([f"A{i:03d}{n:07d}" for n in range(chunk)]))
                writer = writer or pq.ParquetWriter(path, table.schema)
                writer.write_table(table)
            writer.close()
    return path


def measure(mode: str, product: str, path: Path, runs: int) -> dict:
    """One measurement, in this process: seconds of every run, peak memory."""
    from product_specs import load_checked
    from product_specs.catalog import catalog_path

    checked = load_checked(catalog_path(product))
    out: dict = {"mode": mode, "times": []}
    if mode == "duckdb":
        from validation.analysis.simulate import simulate

        for _ in range(runs):
            started = time.perf_counter()
            result = simulate(checked, path)
            out["times"].append(time.perf_counter() - started)
            out["rows"] = result.rows
            del result
    elif mode == "spark":
        from validation.analysis.spark import simulate_spark, spark_session

        started = time.perf_counter()
        session = spark_session()
        out["startup"] = time.perf_counter() - started
        jvm = session.sparkContext._gateway.proc.pid
        for _ in range(runs):
            started = time.perf_counter()
            result = simulate_spark(checked, path, session=session)
            out["times"].append(time.perf_counter() - started)
            out["rows"] = result.rows
            del result
        out["jvm_peak_mb"] = peak_mb(jvm)
        session.stop()
    elif mode in ("validate-sql", "validate-pandas"):
        from validation.data import expectations

        for _ in range(runs):
            started = time.perf_counter()
            if mode == "validate-sql":
                report = expectations.validate_data(checked, path)
            else:
                import pandas as pd

                report = expectations.validate_data(checked, pd.read_parquet(path))
            out["times"].append(time.perf_counter() - started)
            out["rows"], out["ok"] = report.rows, report.ok
    out["peak_mb"] = peak_mb()
    return out


def worker(mode: str, product: str, path: Path, runs: int) -> dict:
    command = [sys.executable, __file__, "--worker", mode, "--product", product, "--path", str(path),
               "--runs", str(runs)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False).stderr.splitlines()
    return (f"{cpu}, {os.cpu_count()} cores, {memory} GiB; Python {platform.python_version()}, duckdb "
            f"{version('duckdb')}, pyspark {version('pyspark')}, {java[0] if java else 'no java'}, "
            f"great-expectations {version('great-expectations')}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--product", default="tax_sme_loan")
    parser.add_argument("--modes", nargs="+", default=["duckdb", "spark", "validate-sql", "validate-pandas"])
    parser.add_argument("--worker")
    parser.add_argument("--path")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.worker, args.product, Path(args.path), args.runs)))
        return
    load = os.getloadavg()[0]
    lines = [f"Machine: {machine()}; load average {load:.1f} at start, shared with other sessions.", "",
             "| rows | engine | median s | runs (s) | rows/s | peak MB | notes |",
             "| ---: | --- | ---: | --- | ---: | ---: | --- |"]
    for rows in args.sizes:
        path = population(args.product, rows)
        modes = [m for m in args.modes if m != "validate-pandas" or rows <= 1_000_000]
        for mode in modes:
            runs = args.runs if rows < 10_000_000 or mode != "validate-pandas" else 1
            log(f"{mode} on {rows:,} rows, {runs} run(s)")
            r = worker(mode, args.product, path, runs)
            median = statistics.median(r["times"])
            notes = ""
            if mode == "spark":
                notes = f"session start-up {r['startup']:.1f} s (not in the runs); JVM peak {r['jvm_peak_mb']:,.0f} MB"
            if mode.startswith("validate"):
                notes = "all checks passed" if r.get("ok") else "checks failed"
            runs_text = ", ".join(f"{t:.1f}" for t in r["times"])
            lines.append(f"| {rows:,} | {mode} | {median:.2f} | {runs_text} | {rows / median:,.0f} | "
                         f"{r['peak_mb']:,.0f} | {notes} |")
            log(lines[-1])
    lines.append("")
    lines.append(f"Load average at the end {os.getloadavg()[0]:.1f}.")
    text = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"engines-{'-'.join(str(s) for s in args.sizes)}.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
