"""The seed's results, reproduced: each catalog product against the bank's own policy (its baseline) on the
same applicants, every figure the case studies report beside the simulated one.

Steps: product + baseline (product_specs/catalog/baselines/) + applicants --product_results--> both
simulated, their figures computed (validation.analysis.metrics) --> ProductResults: one MeasureResult per
measure of MEASURES (approval multiple, approved bad rate, EL ratio, automation, fraud cut, M3+ at month
12), each with the product's value, the baseline's, what it rests on (observed outcomes or model PD), and,
where the seed reports a figure (product_specs/catalog/baselines/seed_figures.yaml), the seed's words and whether
the simulated value holds against it.

Measures that need more than the decisions (fraud cut: the product's network rules against the same
product without them; M3+ at month 12: the post-loan ageing of the approved book) come from their own
modules when those exist; otherwise they are reported unavailable, never as zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from product_specs import CheckedSpec
from product_specs.catalog import CATALOG_DIR
from product_specs.sections.common import Text

__all__ = ["MEASURES", "SEED_FIGURES_FILE", "SeedFigure", "MeasureResult", "ProductResults", "baseline_path",
           "seed_figures", "product_results", "results_from_metrics", "results_table"]

SEED_FIGURES_FILE = CATALOG_DIR / "baselines" / "seed_figures.yaml"
BASELINES_DIR = CATALOG_DIR / "baselines"
_MAX_FILE_BYTES = 200_000

Op = Literal[">=", ">", "<=", "<", "between"]


class SeedFigure(BaseModel):
    """One figure a case study reports, and the shape a simulation must show for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    measure: str
    reported: Text
    op: Op
    target: float | tuple[float, float]

    @model_validator(mode="after")
    def _known(self):
        if self.measure not in MEASURES:
            raise ValueError(f"unknown measure {self.measure!r}: one of {', '.join(MEASURES)}")
        if (self.op == "between") != isinstance(self.target, tuple):
            raise ValueError("op 'between' takes a [low, high] target; the other ops one number")
        return self

    def holds(self, value: float | None) -> bool | None:
        if value is None:
            return None
        if self.op == "between":
            low, high = self.target
            return low <= value <= high
        t = self.target
        return {">=": value >= t, ">": value > t, "<=": value <= t, "<": value < t}[self.op]

    @property
    def target_text(self) -> str:
        if self.op == "between":
            return f"{_fmt(self.target[0], self.measure)} - {_fmt(self.target[1], self.measure)}"
        return f"{self.op} {_fmt(self.target, self.measure)}"


class _SeedFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    products: dict[str, list[SeedFigure]] = Field(default_factory=dict)


@dataclass(frozen=True)
class Measure:
    key: str
    label_zh: str
    label_en: str
    unit: str  # rate or multiple
    basis: str  # what the value rests on


@dataclass
class MeasureResult:
    """One measure of one product: simulated value, the baseline's, and the seed's figure where reported."""

    key: str
    label_zh: str
    label_en: str
    unit: str
    basis: str
    value: float | None
    baseline: float | None
    reported_zh: str | None = None
    reported_en: str | None = None
    target: str | None = None
    holds: bool | None = None
    note: str | None = None


@dataclass
class ProductResults:
    product_id: str
    name_zh: str
    name_en: str
    baseline_id: str | None
    applicants: int
    source: str
    measures: list[MeasureResult] = field(default_factory=list)

    @property
    def holds(self) -> bool | None:
        """False if a seed figure fails, True if every judged one holds, None if none is judged."""
        judged = [m.holds for m in self.measures if m.target is not None]
        if not judged:
            return None
        if any(h is False for h in judged):
            return False
        return True if all(h is True for h in judged) else None

    def to_dict(self) -> dict:
        return asdict(self) | {"holds": self.holds}


MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure("approval_multiple", "通过率倍数（对比银行原有政策）", "Approval multiple (vs the bank's own policy)",
            "multiple", "decisions; baseline's manual reviews counted as approved"),
    Measure("bad_rate_approved", "通过客户坏账率", "Bad rate among approved", "rate", "observed"),
    Measure("declined_to_approved_el", "拒绝/通过预期损失倍数", "EL ratio, declined / approved", "multiple",
            "model PD"),
    Measure("automation_rate", "自动化率", "Automation rate", "rate", "decisions"),
    Measure("fraud_cut", "欺诈案件减少（关联网络）", "Fraud cases cut (relationship network)", "rate", "fraud_flag"),
    Measure("m3plus_month_12", "第12个月M3+不良率", "M3+ rate at month 12", "rate",
            "post-loan ageing of the approved book (vintage, by count)"),
)}

Extra = Callable[[CheckedSpec, object, object], dict[str, float | None]]
"""An optional step: (product, applicants, product's SimulationResult) -> measures it fills."""


def baseline_path(product_id: str) -> Path:
    """The baseline spec of a catalog product (the bank's own policy before it)."""
    return BASELINES_DIR / f"{product_id}_baseline.yaml"


def seed_figures(path: Path = SEED_FIGURES_FILE) -> dict[str, list[SeedFigure]]:
    """The seed's figures per catalog product (raises ValueError naming the file when it is malformed)."""
    raw = Path(path).read_bytes()
    if len(raw) > _MAX_FILE_BYTES:
        raise ValueError(f"{path}: larger than {_MAX_FILE_BYTES} bytes")
    try:
        return _SeedFile(products=yaml.safe_load(raw) or {}).products
    except yaml.YAMLError as err:
        raise ValueError(f"{path}: not YAML: {err}") from None
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"][1:])
        raise ValueError(f"{path}: {where}: {first['msg'].removeprefix('Value error, ')}") from None


def product_results(checked: CheckedSpec, baseline: CheckedSpec | None, data, source: str = "",
                    figures: list[SeedFigure] | None = None, extras: list[Extra] = (),
                    progress=None) -> ProductResults:
    """Simulate `checked` and its baseline on `data` and measure every figure of MEASURES."""
    from validation.analysis.metrics import compute_metrics
    from validation.analysis.simulate import run_simulation

    result = run_simulation(checked, data, progress)
    metrics = compute_metrics(result)
    base = compute_metrics(run_simulation(baseline, data)) if baseline is not None else None
    filled: dict[str, float | None] = {}
    for extra in extras:
        filled.update(extra(checked, data, result))
    return results_from_metrics(metrics, base, figures or [], filled, source or str(result.source))


def results_from_metrics(metrics, base, figures: list[SeedFigure], filled: dict[str, float | None],
                         source: str) -> ProductResults:
    """ProductResults from computed figures (product's, baseline's or None) and the extras' measures."""
    value = _figure_values(metrics)
    base_value = _figure_values(base) if base is not None else {}
    own = {
        "approval_multiple": (None, None),
        "bad_rate_approved": (value.get("bad_rate_approved"), base_value.get("bad_rate_approved")),
        # model PD is the product's scorecard: a baseline without a fitted model has no such figure
        "declined_to_approved_el": (value.get("declined_to_approved_loss_ratio"), None),
        "automation_rate": (value.get("automation_rate"), base_value.get("automation_rate")),
    }
    approval = value.get("approval_rate")
    # the baseline's manual reviews count as approved: the most favourable reading of the bank's own policy
    base_approval = _sum(base_value.get("approval_rate"), base_value.get("refer_rate"))
    if approval is not None and base_approval:
        own["approval_multiple"] = (approval / base_approval, base_approval)
    by_measure = {f.measure: f for f in figures}
    out = []
    for key, m in MEASURES.items():
        v, b = own.get(key, (filled.get(key), filled.get(f"{key}:baseline")))
        r = MeasureResult(key, m.label_zh, m.label_en, m.unit, m.basis, v, b)
        if key == "bad_rate_approved" and v is None:
            r.value, r.basis = value.get("pd_approved"), "model PD"
        if key == "approval_multiple" and base is None:
            r.note = "no baseline"
        elif r.value is None:
            r.note = filled.get(f"{key}:why") or "unavailable"
        elif key == "fraud_cut":
            r.note = (f"{filled.get('fraud_approved')} fraud approved with the anti-fraud rules, "
                      f"{filled.get('fraud_approved_without')} without")
        seed = by_measure.get(key)
        if seed is not None:
            r.reported_zh, r.reported_en, r.target = seed.reported.zh, seed.reported.en, seed.target_text
            r.holds = seed.holds(r.value)
        out.append(r)
    return ProductResults(metrics.product_id, metrics.product_name_zh, metrics.product_name_en,
                          base.product_id if base is not None else None, metrics.applicants, source, out)


def _sum(a: float | None, b: float | None) -> float | None:
    return None if a is None else a + (b or 0.0)


def _figure_values(metrics) -> dict[str, float | None]:
    return {f.key: (None if f.value is None else float(f.value)) for f in metrics.figures}


def _fmt(value: float, measure: str) -> str:
    m = MEASURES.get(measure)
    if m is not None and m.unit == "multiple":
        return f"{value:.2f}x".replace(".00x", "x")
    return f"{value:.2%}".replace(".00%", "%")


def results_table(r: ProductResults):
    """One product's results as a presentation-neutral table (validation.analysis.tables)."""
    from validation.analysis.tables import Bi, Column, Table

    rows, status = [], []
    for m in r.measures:
        shown = None if m.value is None else _fmt(m.value, m.key)
        base = None if m.baseline is None else _fmt(m.baseline, m.key)
        if m.key == "approval_multiple" and m.baseline is not None:  # the baseline's approval, reviews included
            base = f"{m.baseline:.2%}"
        reported = Bi(m.reported_zh, m.reported_en) if m.reported_zh else None
        rows.append((Bi(m.label_zh, m.label_en), shown or (m.note or "—"), base, m.basis, reported, m.target,
                     m.holds))
        status.append(m.holds)
    title = Bi(f"{r.name_zh}：案例结果复现", f"{r.name_en}: the seed's results, reproduced")
    return Table(f"seed_results_{r.product_id}", title, (
        Column(Bi("指标", "Measure")), Column(Bi("模拟", "Simulated")), Column(Bi("基线（银行原有政策）", "Baseline")),
        Column(Bi("依据", "Rests on")), Column(Bi("案例报告", "Seed reports")), Column(Bi("要求", "Shape")),
        Column(Bi("结果", "Holds"), "verdict")), tuple(rows), tuple(status),
        note=Bi(f"{r.applicants:,} 名申请人：{r.source}", f"{r.applicants:,} applicants: {r.source}"))


def default_extras() -> list[Extra]:
    """The optional steps this build has (fraud cut, post-loan M3+)."""
    return [fraud_cut, m3plus_month_12]


def m3plus_month_12(checked: CheckedSpec, data, result) -> dict:
    """The share of the product's approved loans ever over 90 days past due within 12 months on book: the
    approved book aged 12 months (validation.analysis.post_loan), each loan from the sample's true PD."""
    from validation.analysis.post_loan import age_book

    report = age_book(result, 12)
    if report.loans == 0:
        return {"m3plus_month_12:why": "no approved loans"}
    return {"m3plus_month_12": report.m3plus_rate_12}


def fraud_cut(checked: CheckedSpec, data, result) -> dict:
    """Fraud cases (`fraud_flag`) the product approves against the same product without its anti-fraud
    rules (admission and channel rules of category anti_fraud: shared devices, phones, addresses, the
    relationship network), on the same applicants: the share of fraud the rules cut."""
    import numpy as np

    from product_specs.checks import check_spec
    from product_specs.sections import RuleCategory
    from validation.analysis.simulate import ROW_COLUMN, run_simulation
    from validation.data.data_files import read_data

    frame = read_data(data)
    if "fraud_flag" not in frame.columns:
        return {"fraud_cut:why": "the data has no fraud_flag"}
    fraud = frame["fraud_flag"].fillna(0).to_numpy(dtype=float) > 0
    spec = checked.spec
    admission = [r for r in spec.admission if r.category is not RuleCategory.ANTI_FRAUD]
    channels = [c.model_copy(update={"rules": [r for r in c.rules if r.category is not RuleCategory.ANTI_FRAUD]})
                for c in spec.channels]
    removed = len(spec.admission) - len(admission) + sum(len(a.rules) - len(b.rules)
                                                         for a, b in zip(spec.channels, channels, strict=True))
    if not removed:
        return {"fraud_cut:why": "the product has no anti-fraud rules"}
    variant = check_spec(spec.model_copy(update={"admission": admission, "channels": channels, "tests": []})).checked
    if variant is None:
        return {"fraud_cut:why": "the product without its anti-fraud rules does not check"}

    def approved_fraud(res) -> int:
        decided = res.table.sort_by(ROW_COLUMN)["decision"].to_numpy(zero_copy_only=False)
        return int(np.sum((decided == "approve") & fraud))

    with_rules, without = approved_fraud(result), approved_fraud(run_simulation(variant, frame))
    if without == 0:
        return {"fraud_cut:why": "no fraud approved even without the anti-fraud rules"}
    return {"fraud_cut": 1 - with_rules / without, "fraud_approved": with_rules, "fraud_approved_without": without}
