"""What a user can do with a product, for every front end: functions that return results and findings.

The command line, the Streamlit designer and the tests call these; none of them exits, prints or draws.
A front end turns the results into exit codes, terminal tables or widgets.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from product_specs import (
    CheckedSpec,
    CheckReport,
    Finding,
    Severity,
    SpecError,
    SpecFileError,
    check_spec,
    limits,
    load_spec_with_lines,
)
from product_specs.errors import printable
from product_specs.io import LineMap

__all__ = [
    "CheckOutcome", "check_file", "load_checked_file", "example_test_findings", "ApplicantError",
    "parse_applicant", "read_applicant_file", "DataChoice", "default_data", "SimulationOutcome", "simulate_product",
    "MAX_SPEC_CHARS", "check_text", "spec_data", "spec_text", "ApplicantInputError", "decide_applicant",
    "explain_decision", "compiled_files", "zip_files", "simulation_summary", "prepare_samples", "score_pd", "simulation_report", "STARTER_TEMPLATE", "decision_service_tree",
    "GenerateOutcome", "generate_services",
]

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class CheckOutcome:
    """The result of checking one spec file: its report (None when unreadable) and every finding."""

    path: Path
    report: CheckReport | None
    findings: list[Finding]
    unreadable: bool = False

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is not Severity.ERROR]

    @property
    def checked(self) -> CheckedSpec | None:
        """The checked spec, only when nothing (example tests included) has an error."""
        if self.report is None or self.errors:
            return None
        return self.report.checked


def check_file(path: Path) -> CheckOutcome:
    """Load and check one spec file, example tests included."""
    try:
        spec, lines = load_spec_with_lines(path)
    except SpecError as err:
        return CheckOutcome(path, None, list(err.findings), unreadable=isinstance(err, SpecFileError))
    report = check_spec(spec, lines)
    findings = list(report.findings)
    if report.checked is not None:
        findings += example_test_findings(report.checked, lines)
    return CheckOutcome(path, report, findings)


def load_checked_file(path: Path) -> CheckedSpec:
    """Load and check a spec for work that needs a CheckedSpec; raise SpecError with the findings otherwise.

    Example tests are not run here (`check_file` runs them): a product whose example fails can still be
    decided, simulated and compared, which is how a product manager finds out why it fails.
    """
    spec, lines = load_spec_with_lines(path)
    report = check_spec(spec, lines)
    if report.checked is None:
        raise SpecError(report.errors)
    return report.checked


def example_test_findings(checked: CheckedSpec, lines: LineMap | None = None) -> list[Finding]:
    """Run the spec's example tests through the compiled decision function (a failure is an error, placed
    at its test's line and column when `lines` is given)."""
    from generators.decision import run_example_tests

    index = {}
    for i, test in enumerate(checked.spec.tests):
        index.setdefault(test.name, i)
    out = []
    for result in run_example_tests(checked):
        if not result.passed:
            line, column = lines.find(("tests", index[result.name])) if lines and result.name in index else (None, None)
            out.append(Finding(Severity.ERROR, "example_test", f"tests[{result.name}]",
                               "example test fails: " + "; ".join(result.differences), section="tests",
                               item=result.name, line=line, column=column))
    return out


class ApplicantError(ValueError):
    """An applicant document that is not a JSON object; `unreadable` when it is not JSON at all."""

    def __init__(self, message: str, unreadable: bool):
        super().__init__(message)
        self.unreadable = unreadable


def parse_applicant(text: str, source: str = "applicant") -> dict:
    """Parse one applicant from JSON text within `product_specs.limits` (size, nesting); refuse duplicate
    keys and NaN/Infinity; raise ApplicantError with a located message."""
    if len(text) > limits.APPLICANT_MAX_BYTES:
        raise ApplicantError(f"{source}: an applicant of {len(text):,} characters is too large "
                             f"({limits.limit('applicant_bytes').hint})", True)
    depth, where = _json_depth(text)
    if depth > limits.APPLICANT_MAX_DEPTH:
        line, column = _line_column(text, where)
        raise ApplicantError(f"{source}:{line}:{column}: JSON nested more than {limits.APPLICANT_MAX_DEPTH} levels "
                             "deep (an applicant is one object of field values)", True)
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant,
                          parse_float=_finite_float)
    except json.JSONDecodeError as err:
        raise ApplicantError(f"{source}:{err.lineno}:{err.colno}: invalid JSON: {err.msg}", True) from None
    except _Refused as err:
        raise ApplicantError(f"{source}: {printable(str(err))}", False) from None
    if not isinstance(data, dict):
        raise ApplicantError(f"{source}: the applicant must be a JSON object of field values", False)
    return data


class _Refused(ValueError):
    pass


def _no_duplicates(pairs: list) -> dict:
    seen: dict = {}
    for key, value in pairs:
        if key in seen:  # plain json keeps the last: an applicant must not say two things about one field
            raise _Refused(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def _no_constant(name: str):
    raise _Refused(f"{name} is not a number an applicant can have")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):  # 1e999 reads as infinity
        raise _Refused(f"{text[:40]} is not a number an applicant can have (too large)")
    return value


def _json_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of objects and arrays in JSON text, and where it is first exceeded (one pass,
    no recursion, so a hostile document costs linear time and no stack)."""
    depth = deepest = 0
    where = 0
    in_string = escaped = False
    for i, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, i
                if deepest > limits.APPLICANT_MAX_DEPTH:
                    return deepest, where
        elif char in "]}":
            depth -= 1
    return deepest, where


def _line_column(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def read_applicant_file(path: Path) -> str:
    """The text of an applicant JSON file within `limits.APPLICANT_MAX_BYTES`; raise ApplicantError."""
    try:
        data = limits.read_user_bytes(path, "applicant_bytes", "applicant file")
        return data.decode("utf-8")
    except limits.InputRefused as err:
        raise ApplicantError(printable(str(err)), True) from None
    except UnicodeDecodeError:
        raise ApplicantError(f"{printable(str(path))}: cannot read applicant: not UTF-8 text", True) from None


@dataclass(frozen=True)
class DataChoice:
    """The applicants a simulation runs on when the user names none, and how to describe them."""

    source: object  # a path, or a generated table
    description: str


def default_data(checked: CheckedSpec, samples_dir: Path, rows: int | None = None, seed: int | None = None
                 ) -> DataChoice:
    """A catalog product's default sample (cached in `samples_dir`), or a generated sample for any other."""
    from product_specs.catalog import catalog_path
    from validation.data import sample_data

    rows = sample_data.DEFAULT_ROWS if rows is None else rows
    seed = sample_data.DEFAULT_SEED if seed is None else seed
    product_id = checked.spec.product.id
    if catalog_path(product_id).is_file():
        import pyarrow.parquet as pq

        path = sample_data.default_sample(product_id, samples_dir, rows, seed)
        if {f.name for f in checked.spec.fields} <= set(pq.read_schema(path).names):
            return DataChoice(path, f"{path} (默认样本 / default sample)")
    return DataChoice(sample_data.generate(checked, rows, seed), f"{rows:,} generated applicants (seed {seed})")


@dataclass
class SimulationOutcome:
    """Every figure of a simulation (with the comparison when a champion was given) and the output checks."""

    metrics: object
    comparison: object | None
    checks: dict
    result: object = field(repr=False, default=None)


def simulate_product(checked: CheckedSpec, data, champion: CheckedSpec | None = None,
                     progress: Progress | None = None, report_path: Path | None = None,
                     spark=None, months: int | None = None, seed: int | None = None) -> SimulationOutcome:
    """Simulate a product (or compare it with a champion) -> figures -> output checks -> optional report.

    `data` is a path, a table, or a `PreparedData` kept from an earlier run (decided again at once when
    the product's input fields have not changed). With `spark` (a `validation.analysis.spark.SparkTarget`)
    the decisions run on Apache Spark, which reads `data` (Parquet) itself; the figures are the same.

    With `months`, the approved book is then aged that many months (validation.analysis.post_loan, drawn
    with `seed`): vintage, roll rates, early warnings and collections join the figures.

    Raises validation's SimulationError when the data cannot be used (SparkUnavailable, a subclass, when
    Spark cannot be started) and OSError when the report cannot be written.
    """
    from validation.analysis.compare import compare_products
    from validation.analysis.metrics import compute_metrics
    from validation.analysis.report import CheckLine, write_report
    from validation.analysis.simulate import check_outputs, run_simulation

    def say(stage: str) -> None:
        if progress is not None:
            progress(stage, 0, 1)

    def stage(label: str):
        if progress is None:
            return None
        names = {"read": "读取 / reading", "decide": "决策 / deciding"}
        return lambda step, done, total: progress(f"{label}: {names.get(step, step)}", done, total)

    comparison = None
    if spark is not None:
        from validation.analysis.simulate import SimulationError
        from validation.analysis.spark import simulate_spark

        if champion is not None:
            raise SimulationError("champion / challenger runs on DuckDB only: leave out --engine spark or --champion")
        if not isinstance(data, (str, Path)):
            raise SimulationError("the Spark engine reads a Parquet file or folder: give --data")
        result = simulate_spark(checked, data, spark, progress=stage("模拟 / simulating (Spark)"))
    elif champion is None:
        result = run_simulation(checked, data, stage("模拟 / simulating"))
    else:
        _, result, comparison = compare_products(champion, checked, data, stage("冠军/挑战者 / champion & challenger"))
    say("指标 / figures")
    metrics = compute_metrics(result)
    if months:
        age_product(metrics, result, data, months, seed, stage("贷后 / post-loan"))
    say("输出校验 / output checks")
    checks = check_outputs(result)
    if report_path is not None:
        say("报告 / report")
        lines = [CheckLine(c["check"], c["passed"], c["details"]) for c in checks.get("checks", [])]
        write_report(report_path, metrics, comparison, lines)
    return SimulationOutcome(metrics, comparison, checks, result)


def age_product(metrics, result, data, months: int, seed: int | None = None, progress=None):
    """Age a simulation's approved book `months` months and add it to its figures (metrics.post_loan).

    The early-warning rules that read application fields get them from `data` (read again when it is a
    path or table; a PreparedData holds them)."""
    from validation.analysis.metrics import attach_post_loan
    from validation.analysis.post_loan import DEFAULT_SEED, age_book, warning_fields
    from validation.analysis.simulate import PreparedData, read_applicants

    needed = warning_fields(result.checked)
    applicants = None
    if needed:
        if isinstance(data, PreparedData):
            applicants = data.table
        elif isinstance(data, (str, Path)) or hasattr(data, "column_names") or hasattr(data, "columns"):
            text = [f.name for f in result.checked.spec.fields if f.name in needed and f.type.value in ("category", "string")]
            applicants = read_applicants(data, needed, text)
    report = age_book(result, months, DEFAULT_SEED if seed is None else seed, applicants, progress)
    return attach_post_loan(metrics, report)


# --- for the designer (and the command line): drafts, decisions, compiled files, comparisons --------------

MAX_SPEC_CHARS = limits.SPEC_MAX_BYTES
"""Largest spec text a front end accepts (an upload, a paste, a draft): `product_specs.limits`."""


def check_text(text: str, source: str = "<draft>") -> CheckOutcome:
    """Check spec YAML text as `check_file` checks a file (example tests included)."""
    from product_specs import loads_spec

    if len(text) > MAX_SPEC_CHARS:
        finding = Finding(Severity.ERROR, "too_large", source, f"the spec is larger than {MAX_SPEC_CHARS:,} characters")
        return CheckOutcome(Path(source), None, [finding], unreadable=True)
    try:
        spec, lines = loads_spec(text, source)
    except SpecError as err:
        return CheckOutcome(Path(source), None, list(err.findings), unreadable=isinstance(err, SpecFileError))
    report = check_spec(spec, lines)
    findings = list(report.findings)
    if report.checked is not None:
        findings += example_test_findings(report.checked, lines)
    return CheckOutcome(Path(source), report, findings)


def spec_data(text: str, source: str = "<draft>") -> dict:
    """The data of spec YAML text (exact decimals, duplicate keys refused), for editing; SpecFileError if it
    is not a YAML mapping."""
    from product_specs.io import read_yaml

    return read_yaml(text, source)[0]


def spec_text(data: dict) -> str:
    """YAML text of spec data as the designer edits it (valid or not): sections in their fixed order,
    exact decimals, stable, so `spec_text(spec_data(spec_text(d))) == spec_text(d)`."""
    import yaml

    from product_specs.spec import SECTIONS

    ordered = {k: data[k] for k in SECTIONS if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    return yaml.dump(ordered, Dumper=_TextDumper, sort_keys=False, allow_unicode=True, width=110,
                     default_flow_style=False)


def _text_dumper():
    from decimal import Decimal

    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def decimal(dumper, value):
        text = format(value, "f")
        return dumper.represent_scalar("tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float", text)

    Dumper.add_representer(Decimal, decimal)
    return Dumper


_TextDumper = _text_dumper()


class ApplicantInputError(ValueError):
    """An applicant the decision refuses: `errors` lists {field, message}."""

    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors))
        self.errors = errors


def decide_applicant(checked: CheckedSpec, values: dict, trace: bool = True) -> dict:
    """Decide one applicant with the compiled decision module (what `loanstudio decide` prints)."""
    from generators.decision import decision_module

    module = decision_module(checked)
    try:
        return module.decide(values, trace=trace)
    except module.InputError as err:
        raise ApplicantInputError(list(err.errors)) from None


def explain_decision(checked: CheckedSpec, result: dict, lang: str = "en") -> list[str]:
    """A decision as sentences a product manager reads: outcome and reasons first, then each step
    ("declined: R08 Owner overdue 6 or more times...", then the rules hit, segment, score, matrix)."""
    from designer.i18n import t

    zh = lang == "zh"
    spec = checked.spec

    def text(value):
        return value.zh if zh else value.en

    decision = result.get("decision")
    outcome = t(f"explain.{decision}", lang) if decision in ("approve", "refer", "decline") else str(decision)
    reasons = result.get("reasons") or []
    lines = [f"{outcome}: " + "; ".join(f"{r['code']} {r['text_zh'] if zh else r['text_en']}" for r in reasons)
             if reasons else outcome]
    segments = {s.id: s.name for s in spec.segments}
    bands = {b.id: b.name for b in spec.decision.bands}
    rules = {r.code: r for r in spec.admission}
    for ch in spec.channels:
        rules.update({r.code: r for r in ch.rules})
    for step in result.get("trace") or []:
        kind = step.get("step")
        if kind == "admission" and step.get("hit"):
            rule = rules.get(step.get("code"))
            lines.append(t("explain.admission_hit", lang, code=step.get("code"), name=text(rule.name) if rule else "",
                           when=f" ({rule.when})" if rule else ""))
        elif kind == "segment":
            seg = segments.get(step.get("segment"))
            lines.append(t("explain.segment", lang, name=text(seg) if seg else step.get("segment")))
            if step.get("channel_allowed") is False:
                lines.append(t("explain.channel_refused", lang))
        elif kind == "score":
            band = bands.get(step.get("band"))
            points = ", ".join(f"{k}={v.get('value')} → {v.get('points')}" for k, v in (step.get("points") or {}).items())
            lines.append(t("explain.score", lang, score=step.get("score"), band=text(band) if band else step.get("band"),
                           points=points))
            if "second_score" in step:  # two scorecards: the first's band and the second's grade give the band
                first = bands.get(step.get("first_band"))
                lines.append(t("explain.combined", lang, first=text(first) if first else step.get("first_band"),
                               second=step.get("second_score"), grade=step.get("grade"),
                               band=text(band) if band else step.get("band")))
        elif kind == "matrix":
            lines.append(t("explain.matrix", lang, outcome=step.get("outcome"), decision=step.get("decision")))
    if result.get("limit") is not None:
        lines.append(t("explain.limit", lang, limit=f"{result['limit']:,}"))
    if result.get("apr") is not None:
        lines.append(t("explain.apr", lang, apr=f"{float(result['apr']):.2%}"))
    return lines


def compiled_files(checked: CheckedSpec) -> dict[str, str]:
    """What can be generated from a product today, by file name: the spec, the Python decision module and
    the decision SQL (DuckDB and Spark)."""
    from generators.python.module import python_source
    from generators.sql.query import decision_sql
    from product_specs import dump_spec

    pid = checked.product_id
    return {f"{pid}/spec.yaml": dump_spec(checked.spec), f"{pid}/decision.py": python_source(checked),
            f"{pid}/decision_duckdb.sql": decision_sql(checked, dialect="duckdb") + "\n",
            f"{pid}/decision_spark.sql": decision_sql(checked, dialect="spark") + "\n"}


def zip_files(files: dict[str, str]) -> bytes:
    """A zip of text files (fixed timestamps: the same files give the same bytes)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def simulation_summary(outcome: SimulationOutcome) -> dict:
    """The figures a workspace keeps of a simulation (enough to say one ran, and how it came out)."""
    m = outcome.metrics
    return {"spec_hash": m.spec_hash, "applicants": m.applicants, "source": m.source,
            "approval_rate": m.value("approval_rate"), "bad_rate_approved": m.value("bad_rate_approved"),
            "failed": [f.key for f in m.failed]}


def prepare_samples(samples_dir: Path) -> list[Path]:
    """Make sure every catalog product's default sample exists (what `make run` prepares)."""
    from product_specs.catalog import catalog_paths
    from validation.data import sample_data

    return [sample_data.default_sample(p.stem, samples_dir) for p in catalog_paths()]


def catalog_results(samples_dir: Path, rows: int | None = None, progress: Progress | None = None) -> list:
    """The seed's results, reproduced: every catalog product against its baseline on its default sample
    (validation.analysis.seed_results.ProductResults, one per product)."""
    from product_specs.catalog import catalog_paths
    from validation.analysis import seed_results

    figures = seed_results.seed_figures()
    out = []
    for path in catalog_paths():
        checked = load_checked_file(path)
        product_id = checked.spec.product.id
        base_path = seed_results.baseline_path(product_id)
        baseline = load_checked_file(base_path) if base_path.is_file() else None
        choice = default_data(checked, samples_dir, rows)
        if progress is not None:
            progress(f"{product_id}", len(out), len(catalog_paths()))
        out.append(seed_results.product_results(checked, baseline, choice.source, choice.description,
                                                figures.get(product_id, []), seed_results.default_extras()))
    return out


def score_pd(checked: CheckedSpec, score, second_score=None) -> float | None:
    """The probability of default a score (and the second scorecard's score) implies: the scorecard's fitted
    calibration, else its declared scaling (odds double every `pdo` points from `base_odds` at
    `base_score`), as every decision's `pd`."""
    if score is None:
        return None
    return checked.pd_mapping().pd(float(score), float(second_score or 0))


def simulation_report(outcome: SimulationOutcome) -> str:
    """The self-contained HTML report of a simulation (what `simulate --report` writes)."""
    from validation.analysis.report import CheckLine, render_report

    lines = [CheckLine(c["check"], c["passed"], c["details"]) for c in outcome.checks.get("checks", [])]
    return render_report(outcome.metrics, outcome.comparison, lines)


STARTER_TEMPLATE = Path(__file__).parent / "templates" / "starter.yaml"
"""The smallest complete product, to start a new one from."""


@dataclass(frozen=True)
class GenerateOutcome:
    """What `generate_services` did: the check of the spec, the service folders written, or why not."""

    check: CheckOutcome
    services: tuple[Path, ...] = ()
    error: str | None = None
    """Why nothing was written although the spec is fine (an unwritable or foreign output folder)."""


def generate_services(path: Path, out_dir: Path) -> GenerateOutcome:
    """Check a spec (example tests included) and render its services into `out_dir/<product_id>/`: the
    decision service and the workflow service.

    Nothing is generated from a spec with errors or a failing example: the generated tests would fail.
    """
    outcome = check_file(path)
    if outcome.checked is None:
        return GenerateOutcome(outcome)
    from generators.services import ServiceError, generate_decision_service
    from generators.services.workflow_service import generate_workflow_service

    try:
        made = (generate_decision_service(outcome.checked, out_dir),
                generate_workflow_service(outcome.checked, out_dir))
    except ServiceError as err:
        return GenerateOutcome(outcome, error=str(err))
    except OSError as err:
        return GenerateOutcome(outcome, error=f"{err.filename or out_dir}: {err.strerror or err}")
    return GenerateOutcome(outcome, made)


def decision_service_tree(checked: CheckedSpec) -> dict[str, str]:
    """The generated decision service of a product, path -> text, rendered in a temporary folder (what
    `loanstudio generate` writes), for browsing and zipping without touching the output folder."""
    import tempfile

    from generators.services import generate_decision_service

    with tempfile.TemporaryDirectory(prefix="loanstudio-generate-") as folder:
        root = generate_decision_service(checked, Path(folder))
        out = {}
        for path in sorted(root.rglob("*")):
            if path.is_file():
                try:
                    out[f"{checked.product_id}/{root.name}/{path.relative_to(root)}"] = path.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    continue
        return out


# --- risk models (issue 11): infer a spec, train, calibrate, cut-offs, drift, decisions file ------------------

def infer_product(data, target: str | None = None, id_column: str | None = None, product_id: str | None = None):
    """Draft a product spec from a data file (validation.model.infer.InferResult); raises ModelDataError."""
    from validation.model.infer import infer_spec

    return infer_spec(data, target, id_column, product_id)


def train_product(checked: CheckedSpec, data, options=None):
    """Train the product's scorecard on `data` (validation.model.scorecard.TrainResult: the new spec, its
    model report, the candidates); raises ModelDataError or ValueError (bad options)."""
    from validation.model.scorecard import train_scorecard

    return train_scorecard(checked, data, options)


def calibrate_product(checked: CheckedSpec, data, target: str = "bad_flag", source: str = ""):
    """Refit the product's score-to-PD mapping on newer outcomes: (new spec, Recalibration)."""
    from validation.model.calibration import recalibrate

    return recalibrate(checked, data, target, source)


def product_cutoffs(checked: CheckedSpec, data, constraints=None, by_segment: bool = False,
                    target: str = "bad_flag"):
    """The frontier and the band cut-offs meeting the risk appetite (or `constraints`): a CutoffResult."""
    from validation.model.cutoffs import set_cutoffs

    return set_cutoffs(checked, data, constraints, by_segment, target)


def product_drift(checked: CheckedSpec, baseline, current):
    """PSI of the score and CSI of every characteristic from `baseline` to `current`: a DriftReport."""
    from validation.model.drift import population_drift

    return population_drift(checked, baseline, current)


def write_decisions_file(outcome: SimulationOutcome, path: Path) -> Path:
    """One row per applicant of a simulation (id, segment, score, pd, band, decision, reasons, limit, apr)
    as Parquet or CSV (what `simulate --decisions-out` writes)."""
    from validation.analysis.simulate import write_decisions

    return write_decisions(outcome.result, path)


def save_spec_file(spec, path: Path) -> Path:
    """Write a product spec as YAML, whole or not at all (a trained, calibrated or re-cut spec)."""
    import os

    from product_specs import dump_spec

    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(dump_spec(spec), encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


__all__ += ["infer_product", "train_product", "calibrate_product", "product_cutoffs", "product_drift",
            "write_decisions_file", "save_spec_file"]
