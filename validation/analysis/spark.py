"""Strategy simulation on Apache Spark: the compiled decision query, run where the data is.

Steps: Parquet (a file or a folder of files, local or on the cluster's storage) --Spark reads--> the data
dictionary's columns and a row number --input checks (the same conditions as DuckDB's `prepare`)-->
--`decision_query` rendered for Spark (`generators.sql.spark.for_spark`)--> an Arrow table in the order of
the source rows --> the same `SimulationResult` the DuckDB engine returns, so metrics, report and tables
work unchanged.

Where Spark runs: `local[N]` on this machine (needs Java 17+ and pyspark), a Spark Connect server
(`sc://host:15002`), or whatever `spark-submit` set up when loanstudio runs under it. pyspark is an
optional dependency (`pip install -e '.[spark]'`); without it `SparkUnavailable` says how to get it.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from product_specs import CheckedSpec
from validation.analysis import sample_quality
from validation.analysis.simulate import (
    ROW_COLUMN,
    Progress,
    SimulationError,
    SimulationResult,
    _input_columns,
    _network_keys,
    column_plan,
    encode_levels,
    outcome_notes,
    result_columns,
)
from validation.data.data_files import first_line

__all__ = ["SparkTarget", "SparkUnavailable", "spark_session", "simulate_spark", "java_home", "DEFAULT_MASTER",
           "JIT_OPTION"]

DEFAULT_MASTER = "local[2]"
JIT_OPTION = "-XX:-DontCompileHugeMethods"
"""The decision query compiles to Java methods past HotSpot's 8 KB limit for JIT compilation: without this
option they run interpreted, 5-6 times slower (measured on 200k applicants). Set on the JVMs Loan Studio
starts; on a cluster, add it to spark.driver/executor.extraJavaOptions (README)."""
MIN_JAVA = 17
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_MASTER = re.compile(r"^(local(\[(\d{1,3}|\*)(,\d{1,3})?\])?|(spark|yarn|k8s|mesos)(://\S{1,500})?)$")
_REMOTE = re.compile(r"^sc://[A-Za-z0-9._\-\[\]:]{1,300}(/;\S{0,500})?$")


class SparkUnavailable(SimulationError):
    """Spark cannot be started here: pyspark or Java is missing, or the master / remote is refused."""


@dataclass(frozen=True)
class SparkTarget:
    """Where a Spark simulation runs: a master URL (`local[2]`, `spark://host:7077`, `yarn`), a Spark
    Connect URL (`sc://host:15002`), or neither: the session spark-submit made, else `local[2]`."""

    master: str | None = None
    remote: str | None = None

    def __post_init__(self):
        if self.master and self.remote:
            raise SparkUnavailable("give either a Spark master or a Spark Connect remote, not both")
        if self.master is not None and not _MASTER.match(self.master):
            raise SparkUnavailable(f"{self.master[:80]!r} is not a Spark master URL "
                                   "(local[2], spark://host:7077, yarn, k8s://https://host:443)")
        if self.remote is not None and not _REMOTE.match(self.remote):
            raise SparkUnavailable(f"{self.remote[:80]!r} is not a Spark Connect URL (sc://host:15002)")

    def describe(self) -> str:
        return self.remote or self.master or "spark-submit's session or " + DEFAULT_MASTER


# --- starting Spark ---------------------------------------------------------------------------------------

def java_home() -> str | None:
    """JAVA_HOME when set, else the JDK of the `java` on PATH (resolved through its symlinks), else None."""
    home = os.environ.get("JAVA_HOME")
    if home and Path(home, "bin", "java").exists():
        return home
    java = shutil.which("java")
    if java is None:
        return None
    return str(Path(java).resolve().parent.parent)


def _java_version(home: str) -> int | None:
    try:
        out = subprocess.run([str(Path(home, "bin", "java")), "-version"], capture_output=True, text=True,
                             timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'version "(\d+)(\.(\d+))?', out.stderr + out.stdout)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(3) or 0) if major == 1 else major


def _pyspark():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyspark warns about pandas 3, which this path never uses
            import pyspark
            from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable("Spark simulation needs pyspark: pip install -e '.[spark]' "
                               "(make test installs it)") from None
    return pyspark, SparkSession


@functools.cache
def _scratch() -> str:
    """One temporary folder per process for Spark's warehouse, metastore and spill files, removed at exit."""
    path = tempfile.mkdtemp(prefix="loanstudio-spark-")
    atexit.register(shutil.rmtree, path, True)
    return path


def _local_conf(master: str) -> dict[str, str]:
    scratch = _scratch()
    cores = re.search(r"\[(\d+)", master)
    return {
        "spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.memory": os.environ.get("LOANSTUDIO_SPARK_DRIVER_MEMORY", "2g"),
        "spark.driver.maxResultSize": "0",  # the result comes back whole, as DuckDB's does
        "spark.sql.shuffle.partitions": cores.group(1) if cores else "4",
        "spark.local.dir": scratch,
        "spark.sql.warehouse.dir": str(Path(scratch, "warehouse")),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={Path(scratch, 'derby')} "
                                         f"-Dlog4j2.configurationFile={_quiet_log_config(scratch)} {JIT_OPTION}",
    }


def _quiet_log_config(scratch: str) -> str:
    """A log4j2 configuration that prints errors only (Spark's default prints pages of INFO and WARN)."""
    path = Path(scratch, "log4j2.properties")
    path.write_text("rootLogger.level = error\nrootLogger.appenderRef.stderr.ref = console\n"
                    "appender.console.type = Console\nappender.console.name = console\n"
                    "appender.console.target = SYSTEM_ERR\nappender.console.layout.type = PatternLayout\n"
                    "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n\n", encoding="utf-8")
    return path.as_uri()


def spark_session(target: SparkTarget | None = None):
    """A Spark session for `target`: local sessions are quiet (no UI, no progress bars, errors only) and
    write only into a temporary folder; a remote one is the server's.

    Raises SparkUnavailable when pyspark or (for a local session) Java 17+ is missing."""
    target = target or SparkTarget()
    _, SparkSession = _pyspark()
    builder = SparkSession.builder.appName("loanstudio")
    under_submit = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit started this process
    remote = target.remote or (os.environ.get("SPARK_REMOTE") if not target.master else None)
    if remote:
        builder = builder.remote(remote)
    else:
        master = target.master or (None if under_submit else DEFAULT_MASTER)
        if master is not None and master.startswith("local"):
            _use_java()
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # a local session never binds a public address
            for key, value in _local_conf(master).items():
                builder = builder.config(key, value)
        if master is not None:
            builder = builder.master(master)
            if not master.startswith("local"):  # executors of a cluster this process starts a session on
                builder = builder.config("spark.executor.extraJavaOptions", JIT_OPTION)
        builder = builder.config("spark.ui.showConsoleProgress", "false").config("spark.log.level", "ERROR")
        if master is not None and master.startswith("local"):
            builder = builder.config("spark.ui.enabled", "false")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return builder.getOrCreate()
    except Exception as err:  # noqa: BLE001 - a JVM that will not start, a server that will not answer
        raise SparkUnavailable(f"Spark ({target.describe()}) could not be started: {first_line(err)}") from None


def _use_java() -> None:
    """Point pyspark at a Java 17+ runtime (JAVA_HOME, else the `java` on PATH) or say what is missing."""
    home = java_home()
    if home is None:
        raise SparkUnavailable(f"a local Spark session needs Java {MIN_JAVA} or newer: install a JDK (e.g. "
                               "apt-get install openjdk-17-jre-headless) or set JAVA_HOME")
    version = _java_version(home)
    if version is None or version < MIN_JAVA:
        raise SparkUnavailable(f"a local Spark session needs Java {MIN_JAVA} or newer; {home} has "
                               f"{version or 'an unknown version'}: set JAVA_HOME to a newer JDK")
    os.environ.setdefault("JAVA_HOME", home)


def _spark_errors() -> tuple[type[BaseException], ...]:
    from pyspark.errors import PySparkException

    errors: list[type[BaseException]] = [PySparkException]
    try:
        from py4j.protocol import Py4JError

        errors.append(Py4JError)
    except ImportError:  # a Spark Connect client without py4j
        pass
    return tuple(errors)


# --- simulating -------------------------------------------------------------------------------------------

def simulate_spark(checked: CheckedSpec, data: str | Path, target: SparkTarget | None = None, session=None,
                   progress: Progress | None = None) -> SimulationResult:
    """Decide every applicant of a Parquet file or folder on Spark, as `simulate.simulate` does in DuckDB.

    Args:
        checked: the product (only a CheckedSpec is ever compiled).
        data: a Parquet file or a folder of Parquet files; a URI (s3a://, hdfs://, abfss://...) is read by
            the cluster as it is.
        target: where Spark runs (ignored when `session` is given).
        session: a running SparkSession to use (the tests share one).
        progress: called as progress(stage, done, total) for `read` and `decide`.

    Raises SimulationError when the data is unreadable, lacks a field, is empty or holds values the
    decision service refuses; SparkUnavailable when Spark cannot be started.
    """
    if not isinstance(checked, CheckedSpec):
        raise TypeError("simulate needs a CheckedSpec: run check_spec() first")
    started = time.perf_counter()
    source = str(data)
    _check_source(source)
    report = progress or (lambda stage, done, total: None)
    spark = session or spark_session(target)
    errors = _spark_errors()
    view = f"ls_applicants_{uuid.uuid4().hex}"
    report("read", 0, 1)
    try:
        frame, outcomes, keep = _applicants(checked, spark, source)
        frame.createOrReplaceTempView(view)
        rows = _refuse_invalid_input(spark, checked, view, source)
        report("read", 1, 1)
        report("decide", 0, rows)
        table = spark.sql(decision_sql_spark(checked, view, keep)).toArrow()
        quality = sample_quality.analyse_sql(checked, functools.partial(_one_row, spark), view, frame.columns)
    except SimulationError:
        raise
    except errors as err:
        raise SimulationError(f"{source}: Spark could not simulate the data: {first_line(err)}") from None
    finally:
        _drop_view(spark, view)
    report("decide", rows, rows)
    table = encode_levels(checked, _like_duckdb(table)).sort_by(ROW_COLUMN)
    notes = outcome_notes(outcomes) + quality.warnings()  # rules that never hit, copied fields... (as simulate.execute says them)
    return SimulationResult(checked, table, source, time.perf_counter() - started, outcomes, notes)


def _one_row(spark, select) -> tuple:
    """The one row of an aggregate query (a sqlglot tree) run on Spark with DuckDB's number semantics."""
    from generators.sql.spark import for_spark

    return tuple(spark.sql(for_spark(select).sql(dialect="spark")).collect()[0])


def decision_sql_spark(checked: CheckedSpec, view: str, keep: list[str]) -> str:
    """The simulation's projected decision query (what DuckDB runs per chunk), rendered for Spark."""
    from sqlglot import exp

    from generators.sql.query import decision_query
    from generators.sql.spark import for_spark

    inner = decision_query(checked, source=view, keep=keep).subquery("ls_decided")
    columns = [exp.column(n, quoted=True) for n in result_columns(checked, keep)]
    return for_spark(exp.select(*columns).from_(inner)).sql(dialect="spark")


def _check_source(source: str) -> None:
    """A local source must be a Parquet file or a folder; a URI is the cluster's to read."""
    if _URI.match(source) and not source.startswith("file://"):
        return
    path = Path(source[len("file://"):] if source.startswith("file://") else source)
    if path.is_dir():
        return
    if not path.is_file():
        raise SimulationError(f"{source}: no such data file or folder")
    if path.suffix.lower() not in (".parquet", ".pq"):
        raise SimulationError(f"{source}: the Spark engine reads Parquet (a .parquet file or a folder of them); "
                              "convert the data or use --engine duckdb")


def _applicants(checked: CheckedSpec, spark, source: str):
    """(data frame of the columns a simulation reads plus the row number, outcome columns, kept columns)."""
    from pyspark.sql import functions as F

    frame = spark.read.parquet(source)
    names = set(frame.columns)
    wanted, blank = _input_columns(checked)
    absent = [k for k in _network_keys(checked) if k not in names]  # a bank's file may carry the features only
    blank = blank + absent
    read, outcomes, keep = column_plan(checked, names, wanted, blank, source, truth=False)
    columns = [F.col(f"`{n}`") for n in read] + [F.lit(None).cast("string").alias(n) for n in blank]
    return _network_features(checked, frame.select(*columns, _row_number(frame, source))), outcomes, keep


def _network_features(checked: CheckedSpec, frame):
    """Network features computed over the whole population from their keys, where the data has the keys,
    as validation.data.network computes them in DuckDB: window counts for `shared`; for `group_size`,
    min-label propagation with pointer jumping (at most MAX_ROUNDS rounds)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from validation.data.network import MAX_ROUNDS, key_fields, network_fields

    nets = network_fields(checked)
    if not nets or any(k not in frame.columns for k in key_fields(checked)):
        return frame
    for f in nets:
        net = f.network
        if net.kind.value == "shared":
            key = F.col(f"`{net.keys[0]}`")
            if net.within_days is None:
                window, empty = Window.partitionBy(key), key.isNull()
            else:
                day = F.col(f"`{net.day_field}`")
                window = Window.partitionBy(key).orderBy(day).rangeBetween(-int(net.within_days), 0)
                empty = key.isNull() | day.isNull()
            value = F.when(empty, F.lit(0)).otherwise(F.count(F.lit(1)).over(window) - 1)
            frame = frame.withColumn(f.name, value.cast("long"))
            continue
        labels = frame.select(F.col(ROW_COLUMN).alias("rid"), *[F.col(f"`{k}`").alias(f"k{i}")
                                                                 for i, k in enumerate(net.keys)])
        labels = labels.withColumn("label", F.col("rid")).localCheckpoint()
        for _ in range(MAX_ROUNDS):
            step = labels
            for i in range(len(net.keys)):
                mins = (labels.where(F.col(f"k{i}").isNotNull()).groupBy(f"k{i}")
                        .agg(F.min("label").alias(f"m{i}")))
                step = step.join(mins, on=f"k{i}", how="left")
            least = F.least(F.col("label"), *[F.coalesce(F.col(f"m{i}"), F.col("label")) for i in range(len(net.keys))])
            step = step.select("rid", *[f"k{i}" for i in range(len(net.keys))], least.alias("label"))
            jump = step.select(F.col("rid").alias("jr"), F.col("label").alias("jl"))
            moved = (step.join(jump, step["label"] == jump["jr"], "left")
                     .select("rid", *[f"k{i}" for i in range(len(net.keys))],
                             F.least(F.col("label"), F.coalesce(F.col("jl"), F.col("label"))).alias("label"))
                     .localCheckpoint())
            changed = (moved.alias("n").join(labels.alias("o"), "rid")
                       .where(F.col("n.label") != F.col("o.label")).count())
            labels = moved
            if not changed:
                break
        else:
            raise SimulationError(f"the applicants' links ({', '.join(net.keys)}) could not be resolved into groups "
                                  f"within {MAX_ROUNDS} rounds")
        sizes = labels.select(F.col("rid").alias(ROW_COLUMN),
                              F.count(F.lit(1)).over(Window.partitionBy("label")).cast("long").alias(f.name))
        frame = frame.drop(f.name).join(sizes, on=ROW_COLUMN, how="inner")
    return frame


def _row_number(frame, source: str):
    """The position of each row in the source: its index in its file, after the rows of the files before it
    (in path order), as DuckDB numbers the rows it reads."""
    from pyspark.sql import functions as F

    index = F.col("_metadata.row_index")
    files = sorted(frame.inputFiles())
    if len(files) <= 1:
        return index.cast("long").alias(ROW_COLUMN)
    counts = dict(frame.groupBy(F.col("_metadata.file_path").alias("f")).count().collect())
    offset, start = 0, F.lit(0)
    starts = []
    for path in sorted(counts):
        starts.append((path, offset))
        offset += counts[path]
    for path, first in starts:
        start = F.when(F.col("_metadata.file_path") == F.lit(path), F.lit(first)).otherwise(start)
    return (start + index).cast("long").alias(ROW_COLUMN)


def _refuse_invalid_input(spark, checked: CheckedSpec, view: str, source: str) -> int:
    """Count the applicants; refuse data the decision service would refuse (as DuckDB's `prepare` does)."""
    from sqlglot import exp

    from generators.sql.query import input_problems
    from generators.sql.spark import for_spark

    problems = input_problems(checked)
    counts = [exp.alias_(exp.Count(this=exp.Star()), "ls_rows")]
    counts += [exp.alias_(exp.Sum(this=exp.Case(ifs=[exp.If(this=cond, true=exp.Literal.number(1))],
                                                default=exp.Literal.number(0))), f"p{i}")
               for i, (_, _, cond) in enumerate(problems)]
    query = for_spark(exp.select(*counts).from_(exp.to_table(view))).sql(dialect="spark")
    row = spark.sql(query).collect()[0]
    rows = int(row[0])
    if rows == 0:
        raise SimulationError(f"{source}: the data has no applicants")
    found = [(field, problem, int(n)) for (field, problem, _), n in zip(problems, row[1:], strict=True) if n]
    if found:
        listed = "; ".join(f"{field}: {n:,} row(s) {problem}" for field, problem, n in found[:8])
        more = f" (and {len(found) - 8} more)" if len(found) > 8 else ""
        raise SimulationError(f"{source}: the data holds applicants the decision service refuses: {listed}{more}. "
                              "Run `loanstudio validate-data` for every problem with examples")
    return rows


def _drop_view(spark, view: str) -> None:
    try:
        spark.catalog.dropTempView(view)
    except Exception:  # noqa: BLE001, S110 - a session that failed has no view to drop
        pass


def _like_duckdb(table: pa.Table) -> pa.Table:
    """Spark's Arrow types as DuckDB returns them (large strings and lists as plain ones), so every reader of
    a SimulationResult sees one schema whichever engine decided."""
    fields = []
    for f in table.schema:
        kind = f.type
        if pa.types.is_large_string(kind):
            kind = pa.string()
        elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
            kind = pa.list_(pa.string()) if pa.types.is_string(kind.value_type) or \
                pa.types.is_large_string(kind.value_type) else pa.list_(kind.value_type)
        fields.append(pa.field(f.name, kind))
    return table.cast(pa.schema(fields))
