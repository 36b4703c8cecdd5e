"""Great Expectations checks built from a product's data dictionary, and checks of simulated decisions.

Steps: CheckedSpec -> `field_checks()` / `output_checks()` (a list of `Check`, plain data that names a GX
expectation) -> `run_checks()` (one suite in an ephemeral GX context, run on a pandas frame, no files,
no network) -> `DataReport` with every failed check: field, check, count of bad rows, a few examples.

Results are mapped back to checks by the id in each expectation's `meta`, never by position. A check on a
column that is missing (or of the wrong type) raises inside GX; it is folded into the one "column missing"
(or type) failure of that field rather than reported again. GX is imported only when checks run.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import re
import threading
import uuid
import warnings
from dataclasses import asdict, dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from product_specs import CheckedSpec
from product_specs.checked import InputConstraint
from product_specs.sections import FieldType
from validation.data.data_files import DataFileError, describe_source, read_data

__all__ = ["Check", "Failure", "DataReport", "DataFileError", "field_checks", "consistency_checks", "output_checks",
           "expectation_suite", "run_checks", "run_sql_checks", "validate_data", "validate_outputs",
           "validate_output_table", "DEFAULT_MAX_NULL_RATE"]

DEFAULT_MAX_NULL_RATE = 0.5
EXAMPLES = 5
META_KEY = "loanstudio_check"
ID_FIELD = re.compile(r"^(applicant|application|app|apply|loan|request|row)_?id$|^id$")
_INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "Int8Dtype", "Int16Dtype",
         "Int32Dtype", "Int64Dtype", "UInt8Dtype", "UInt16Dtype", "UInt32Dtype", "UInt64Dtype"]
_FLOATS = ["float16", "float32", "float64", "Float32Dtype", "Float64Dtype"]
TYPE_LISTS = {
    FieldType.INTEGER: _INTS, FieldType.NUMBER: _INTS + _FLOATS, FieldType.BOOLEAN: ["bool", "BooleanDtype"],
    FieldType.CATEGORY: ["StringDtype", "str"], FieldType.STRING: ["StringDtype", "str"],
}
OUTCOMES = ("approve", "refer", "decline")
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Check:
    """One expectation, declared as data: which GX expectation, on which column, with which arguments."""

    id: str
    """Unique id, e.g. `fields[bureau_score].range`; carried in the expectation's meta."""
    field: str
    """The field (or decision output) the check is about."""
    kind: str
    """exists, type, range, categories, not_null, null_rate, unique, step, ..."""
    description: str
    """What must hold, for a person: `between 300 and 900`."""
    expectation: str
    """GX expectation name, e.g. `expect_column_values_to_be_between`."""
    kwargs: dict = field(default_factory=dict)
    """Arguments of the expectation other than the column."""
    column: str = ""
    """Column checked when it is not the field itself (a helper column of the outputs)."""
    when: tuple[str, tuple[str, ...]] | None = None
    """Only rows whose column (first) holds one of the values (second)."""
    field_type: str = ""
    """Expected type of the field (type checks)."""
    pii: bool = False
    """Personal data: examples are masked."""


@dataclass(frozen=True)
class Failure:
    """A failed check: what was expected, how many rows break it, a few of their values."""

    field: str
    kind: str
    description: str
    expectation: str
    bad_rows: int | None
    examples: tuple = ()
    message: str = ""


@dataclass(frozen=True)
class DataReport:
    """The outcome of running checks on one data source."""

    source: str
    rows: int
    checks: int
    failures: tuple[Failure, ...]

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict:
        return {"source": self.source, "rows": self.rows, "checks": self.checks, "ok": self.ok,
                "failures": [asdict(f) | {"examples": list(f.examples)} for f in self.failures]}


# building checks --------------------------------------------------------------------------------------------

def field_checks(checked: CheckedSpec, max_null_rate: float = DEFAULT_MAX_NULL_RATE) -> list[Check]:
    """The expectation suite of a product's data dictionary, as checks.

    Every field: the column exists and has the field's type. Numbers: within min..max. Categories: one of
    the categories. Required fields: no empty value; optional fields: at most `max_null_rate` empty, unless
    their `distribution.applies_when` says they exist only for some applicants.
    The applicant id (a text field named like `applicant_id`): unique.
    """
    conditional = {f.name for f in checked.spec.fields if f.distribution and f.distribution.applies_when}
    out: list[Check] = []
    for c in checked.input_constraints():
        out += _checks_of_field(c, 1.0 if c.field in conditional else max_null_rate)
    return out


def _checks_of_field(f: InputConstraint, max_null_rate: float) -> list[Check]:
    def check(kind, description, expectation, **kwargs) -> Check:
        return Check(f"fields[{f.field}].{kind}", f.field, kind, description, expectation, kwargs, pii=f.pii,
                     field_type=f.type.value if kind == "type" else "")

    out = [check("exists", "column present", "expect_column_to_exist"),
           check("type", f"{f.type.value} values", "expect_column_values_to_be_in_type_list",
                 type_list=TYPE_LISTS[f.type])]
    if f.numeric and (f.min is not None or f.max is not None):
        out.append(check("range", _between_text(f.min, f.max), "expect_column_values_to_be_between",
                         min_value=_plain(f.min), max_value=_plain(f.max)))
    if f.categories:
        out.append(check("categories", "one of " + ", ".join(f.categories), "expect_column_values_to_be_in_set",
                         value_set=list(f.categories)))
    if f.required:
        out.append(check("not_null", "no empty values (required)", "expect_column_values_to_not_be_null"))
    elif max_null_rate < 1:
        out.append(check("null_rate", f"at most {max_null_rate:.0%} empty (optional)",
                         "expect_column_values_to_not_be_null", mostly=round(1 - max_null_rate, 6)))
    if f.type is FieldType.STRING and ID_FIELD.match(f.field):
        out.append(check("unique", "unique values (applicant id)", "expect_column_values_to_be_unique"))
    return out


def output_checks(checked: CheckedSpec, columns=()) -> list[Check]:
    """Checks of simulated decisions: APR within floor..cap, limit within min..max and on the step, no
    approval without a limit, every decline with a reason, outcomes, segments and bands known.

    The limit-step and reason checks read helper columns `ls_limit_off_step` (the limit where it is not a
    multiple of the step, else empty) and `ls_reason_count`, which `validate_outputs` adds.
    """
    spec = checked.spec
    lim, price = spec.limits, spec.pricing
    out = [Check(f"outputs[{c}].exists", c, "exists", "column present", "expect_column_to_exist")
           for c in ("decision", "limit", "apr", "reasons")]
    out += [
        Check("outputs[decision].outcome", "decision", "categories", "one of " + ", ".join(OUTCOMES),
              "expect_column_values_to_be_in_set", {"value_set": list(OUTCOMES)}),
        Check("outputs[apr].range", "apr", "range", f"APR {_between_text(price.floor, price.cap)} (pricing floor..cap)",
              "expect_column_values_to_be_between",
              {"min_value": float(price.floor) - 1e-9, "max_value": float(price.cap) + 1e-9}),
        Check("outputs[limit].range", "limit", "range", f"limit {_between_text(lim.min, lim.max)} (limits min..max)",
              "expect_column_values_to_be_between",
              {"min_value": float(lim.min) - 1e-6, "max_value": float(lim.max) + 1e-6}),
        Check("outputs[limit].step", "limit", "step", f"limit a multiple of {_plain_text(lim.step)}",
              "expect_column_values_to_be_null", column="ls_limit_off_step"),
        Check("outputs[limit].approved", "limit", "approved_limit", "every approval has a limit",
              "expect_column_values_to_not_be_null", when=("decision", ("approve",))),
        Check("outputs[reasons].decline", "reasons", "decline_reason", "every decline has at least one reason",
              "expect_column_values_to_be_between", {"min_value": 1}, column="ls_reason_count",
              when=("decision", ("decline",))),
    ]
    if "segment" in columns:
        ids = [s.id for s in spec.segments]
        out.append(Check("outputs[segment].known", "segment", "categories", "one of " + ", ".join(ids),
                         "expect_column_values_to_be_in_set", {"value_set": ids}))
    if "band" in columns:
        ids = [b.id for b in spec.decision.bands]
        out.append(Check("outputs[band].known", "band", "categories", "one of " + ", ".join(ids),
                         "expect_column_values_to_be_in_set", {"value_set": ids}))
    if "second_grade" in columns and spec.scorecard.second is not None:
        ids = [g.id for g in spec.scorecard.second.grades]
        out.append(Check("outputs[second_grade].known", "second_grade", "categories", "one of " + ", ".join(ids),
                         "expect_column_values_to_be_in_set", {"value_set": ids}))
    return out


def _plain(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _plain_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _between_text(low, high) -> str:
    if low is not None and high is not None:
        return f"between {_plain_text(low)} and {_plain_text(high)}"
    return f"at least {_plain_text(low)}" if low is not None else f"at most {_plain_text(high)}"


# running ----------------------------------------------------------------------------------------------------

def validate_data(checked: CheckedSpec, data, max_null_rate: float = DEFAULT_MAX_NULL_RATE) -> DataReport:
    """Check applicant data (frame, Parquet/CSV path or `duckdb:FILE:TABLE`) against the data dictionary.

    Raises:
        DataFileError: the data cannot be read.
    """
    from validation.data.row_checks import add_helper_columns, row_rules

    text = tuple(f.name for f in checked.spec.fields if f.type in (FieldType.CATEGORY, FieldType.STRING))
    checks = field_checks(checked, max_null_rate)
    rules = row_rules(checked)
    if not isinstance(data, pd.DataFrame):  # a file or table: checked where it is, in DuckDB
        return run_sql_checks(checks, data, text, rules)
    frame = _normalised(read_data(data, text))
    usable = [r for r in rules if set(r.reads) <= set(frame.columns)]
    return run_checks(checks + consistency_checks(checked, usable), add_helper_columns(usable, frame),
                      describe_source(data))


def consistency_checks(checked: CheckedSpec, rules=None) -> list[Check]:
    """Checks across fields (validation.data.row_checks): every population relation holds on every row; a
    field that applies only to some applicants is empty (or its `otherwise`) elsewhere. Each reads its
    helper column; `rules` defaults to every rule of the product."""
    from validation.data.row_checks import row_rules

    return _row_checks(row_rules(checked) if rules is None else rules)


def run_sql_checks(checks: list[Check], source, text_columns: tuple[str, ...] = (), rules=()) -> DataReport:
    """Run checks as one GX suite evaluated in DuckDB over a Parquet/CSV file or `duckdb:FILE:TABLE`
    (validation.data.sql_checks): the same failures as `run_checks` on the data read into pandas, without
    reading it into pandas. `rules` (validation.data.row_checks) add their consistency checks where the
    data has the columns they read.

    Raises:
        DataFileError: the data cannot be read.
    """
    from validation.data.sql_checks import evaluate, open_source, with_helpers

    with open_source(source, text_columns) as opened:
        usable = [r for r in rules if set(r.reads) <= set(opened.types)]
        if usable:
            opened = with_helpers(opened, usable)
            checks = checks + _row_checks(usable)
        suite = expectation_suite(checks)
        rows, results = evaluate(suite, checks, opened)
    name = describe_source(source)
    if rows == 0:
        return DataReport(name, 0, len(checks), (Failure("", "rows", "at least one row", "", 0, (),
                                                         "the data has no rows"),))
    return DataReport(name, rows, len(checks), tuple(_failures(checks, results, None)))


def _row_checks(rules) -> list[Check]:
    """The consistency checks of row rules, each on its helper column."""
    return [Check(r.name, r.field, r.kind, r.description, "expect_column_values_to_be_null", column=r.column,
                  pii=r.pii) for r in rules]


def validate_outputs(checked: CheckedSpec, results) -> DataReport:
    """Check simulated decisions (columns decision, limit, apr, reasons, ...) against the product's rules.

    Raises:
        DataFileError: the results cannot be read.
    """
    frame = read_data(results)
    work = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        work[name] = frame[name]
    for name in ("limit", "apr"):
        if name in work:
            work[name] = pd.to_numeric(work[name].astype(object), errors="coerce").astype("float64")
    if "limit" in work:
        units = work["limit"] / float(checked.spec.limits.step)
        work["ls_limit_off_step"] = work["limit"].where((units - units.round()).abs() > 1e-9)
    if "reasons" in work:
        work["ls_reason_count"] = work["reasons"].map(_reason_count).astype("int64")
    checks = output_checks(checked, tuple(work.columns))
    return run_checks(checks, work, describe_source(results))


def validate_output_table(checked: CheckedSpec, table, source: str = "<decisions>") -> DataReport:
    """`validate_outputs` for decisions in an Arrow table (columns decision, limit, apr, reasons as a list,
    segment, band), evaluated in DuckDB SQL: the same failures, without a copy into pandas.

    Raises:
        DataFileError: the table cannot be read.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from validation.data.sql_checks import evaluate, open_table

    if "limit" in table.column_names:
        limit = pc.cast(table["limit"], pa.float64())
        units = pc.divide(limit, float(checked.spec.limits.step))
        off = pc.greater(pc.abs(pc.subtract(units, pc.round(units))), 1e-9)
        table = table.append_column("ls_limit_off_step", pc.if_else(off, limit, pa.scalar(None, pa.float64())))
    if "reasons" in table.column_names:
        counts = pc.fill_null(pc.list_value_length(table["reasons"]), 0)
        table = table.append_column("ls_reason_count", pc.cast(counts, pa.int64()))
    checks = output_checks(checked, tuple(table.column_names))
    if table.num_rows == 0:
        return DataReport(source, 0, len(checks), (Failure("", "rows", "at least one row", "", 0, (),
                                                           "the data has no rows"),))
    with open_table(table, source) as opened:
        rows, results = evaluate(expectation_suite(checks), checks, opened)
    return DataReport(source, rows, len(checks), tuple(_failures(checks, results, None)))


def run_checks(checks: list[Check], frame: pd.DataFrame, source: str = "<frame>") -> DataReport:
    """Run checks as one GX suite on a frame and report the failures, in the order of the checks."""
    if frame.empty:  # every expectation holds vacuously on no rows: that is not a pass
        empty = Failure("", "rows", "at least one row", "", 0, (), "the data has no rows")
        return DataReport(source, 0, len(checks), (empty,))
    results = _run_gx(checks, frame)
    return DataReport(source, len(frame), len(checks), tuple(_failures(checks, results, frame)))


def expectation_suite(checks: list[Check], name: str = "loanstudio"):
    """A GX ExpectationSuite of the checks (each expectation carries its check id in `meta`).

    Raises:
        ValueError: a check does not make a valid expectation (never skipped silently).
    """
    gx, _ = _context()
    from great_expectations.expectations.row_conditions import Column

    expectations = []
    for check in checks:
        cls = getattr(gx.expectations, "".join(p.capitalize() for p in check.expectation.split("_")))
        kwargs = dict(check.kwargs, column=check.column or check.field, meta={META_KEY: check.id})
        if check.when is not None:
            column, values = check.when
            kwargs["row_condition"] = Column(column).is_in(list(values))
        expectations.append(cls(**kwargs))
    # one constructor call: add_expectation() compares each new expectation with all earlier ones
    suite = gx.ExpectationSuite(name=name, expectations=expectations)
    if len(suite.expectations) != len(checks):
        raise ValueError(f"{len(checks) - len(suite.expectations)} check(s) were refused by Great Expectations")
    return suite


@functools.lru_cache(maxsize=1)
def _context():
    """GX and one ephemeral context per process (no files, no analytics, no progress bars)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # GX imports pyspark when installed; it warns about pandas 3
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.enable_analytics(False)
    return gx, context


def _run_gx(checks: list[Check], frame: pd.DataFrame) -> dict:
    gx, context = _context()
    name = f"loanstudio_{uuid.uuid4().hex}"
    with _LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            source = context.data_sources.add_pandas(name)
            batch = source.add_dataframe_asset("frame").add_batch_definition_whole_dataframe("whole")
            suite = context.suites.add(expectation_suite(checks, name))
            definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch,
                                                                                    suite=suite))
            outcome = definition.run(batch_parameters={"dataframe": frame},
                                     result_format={"result_format": "SUMMARY", "partial_unexpected_count": 20})
        finally:
            for registry in (context.validation_definitions, context.suites, context.data_sources):
                with contextlib.suppress(Exception):
                    registry.delete(name)
    return {(r.expectation_config.meta or {}).get(META_KEY): r for r in outcome.results}


def _failures(checks: list[Check], results: dict, frame: pd.DataFrame | None) -> list[Failure]:
    failed = {c.id for c in checks if c.id in results and not results[c.id].success}
    missing = {c.field for c in checks if c.kind == "exists" and c.id in failed}
    mistyped = {c.field for c in checks if c.kind == "type" and c.id in failed}
    out = []
    for check in checks:
        result = results.get(check.id)
        if result is None:
            out.append(_failure(check, None, "not evaluated: Great Expectations returned no result"))
            continue
        if result.success:
            continue
        error = _exception_message(result.exception_info)
        if check.kind != "exists" and check.field in missing:
            continue  # the column-missing failure says it all
        if check.kind != "type" and error and check.field in mistyped:
            continue  # the wrong-type failure is the cause
        if check.kind == "exists":
            out.append(_failure(check, None, "column missing"))
        elif error:
            out.append(_failure(check, None, f"could not be evaluated: {error}"))
        elif check.kind == "type":
            out.append(_type_failure(check, result, frame))
        else:
            out.append(_value_failure(check, result))
    return out


def _failure(check: Check, bad_rows, message: str, examples=()) -> Failure:
    return Failure(check.field, check.kind, check.description, check.expectation, bad_rows, tuple(examples),
                   message)


def _value_failure(check: Check, result) -> Failure:
    info = result.result or {}
    count = info.get("unexpected_count")
    if check.kind in ("not_null", "null_rate"):
        share = info.get("unexpected_percent")
        message = "" if share is None else f"{share:.1f}% empty" if share >= 0.1 else "under 0.1% empty"
        return _failure(check, count, message)
    if check.kind == "approved_limit":
        return _failure(check, count, "approved without a limit")
    examples = _examples(info.get("partial_unexpected_list") or [], check.pii)
    return _failure(check, count, "", examples)


def _type_failure(check: Check, result, frame: pd.DataFrame | None) -> Failure:
    info = result.result or {}
    observed = info.get("observed_value")
    if frame is None:  # evaluated in SQL: the bad values are counted and listed in the result
        return _failure(check, info.get("unexpected_count"), f"expected {check.field_type}, found {observed}",
                        _examples(info.get("partial_unexpected_list") or [], check.pii))
    column = frame[check.column or check.field]
    bad = column[~column.map(_VALUE_TESTS[check.field_type]) & column.notna()]
    message = f"expected {check.field_type}, found {observed or column.dtype}"
    return _failure(check, int(len(bad)), message, _examples(bad.head(200).tolist(), check.pii))


def _as_number(value):
    """The number a value stands for (text from a CSV file included), or None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, (int, float, np.integer, np.floating, Decimal)) and math.isfinite(value):
        return value
    return None


def _is_integer(value) -> bool:
    number = _as_number(value)
    return number is not None and number == int(number)


def _is_boolean(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "false", "0", "1")
    return isinstance(value, (bool, np.bool_))


_VALUE_TESTS = {
    "integer": _is_integer, "number": lambda v: _as_number(v) is not None, "boolean": _is_boolean,
    "category": lambda v: isinstance(v, str), "string": lambda v: isinstance(v, str),
}


def _examples(values, pii: bool) -> list:
    out = []
    for value in values:
        value = _plain_value(value)
        if pii and value is not None:
            text = str(value)
            value = text[:2] + "*" * max(len(text) - 2, 1)
        if value not in out:
            out.append(value)
        if len(out) == EXAMPLES:
            break
    return out


def _plain_value(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and len(value) > 60:
        return value[:57] + "..."
    return value


def _exception_message(info) -> str:
    """The first exception message in a GX result's exception_info (flat or nested by metric)."""
    if not isinstance(info, dict):
        return ""
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "error").strip().splitlines()[0]
    for value in info.values():
        message = _exception_message(value)
        if message:
            return message
    return ""


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable pandas types (whole-number floats become Int64, text becomes string) so that a type check
    means the same for Parquet, CSV and DuckDB data."""
    frame = frame.copy(deep=False)
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.CategoricalDtype):
            frame[name] = frame[name].astype(object)
    return frame.convert_dtypes()


def _reason_count(value) -> int:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            with contextlib.suppress(ValueError):
                return len(json.loads(text))
        return len([p for p in text.split(",") if p.strip()])
    if isinstance(value, (list, tuple, np.ndarray)):
        return len(value)
    if isinstance(value, dict):
        return 1
    return 0
