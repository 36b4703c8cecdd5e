"""The figures a risk team reads from a simulation, computed in DuckDB SQL over the decided rows.

Steps: SimulationResult --compute_metrics--> Metrics (dataclasses; `to_dict()` is JSON-ready), each
headline figure judged against the spec's `risk_appetite`.

Definitions (fractions, 0.35 = 35%):
- rates are shares of all applicants; automation rate = share decided without manual review (not refer);
- bad rate (observed) = share with `bad_flag` (M3+ within 12 months) among applicants with an outcome;
  PD (model) = the `pd` every decision carries (the scorecard's calibration, else its declared scaling);
- expected loss EL = PD x LGD x EAD with the *model* PD of every applicant, approved or declined, and
  LGD `loss_given_default` (the mean LGD of bad applicants stands in where it is missing, the mean of all
  where no bad has one, and 45% where the data has none); the *observed* loss beside it puts the realised
  `bad_flag` in place of PD, only where outcomes exist (a bank has none for the applicants it declined).
  For the EL *rate* of approved, referred and declined applicants alike, EAD is the requested amount
  (what a declined applicant would have drawn is unknown); the approved population's EL on its granted
  limits is reported too and judged against `max_expected_loss_rate`. Risk-appetite targets are judged on
  model figures (available for every applicant); observed figures are shown beside them, or marked
  unavailable when the data has no outcomes;
- rule hits: `hits` counts applicants whose reasons hold the code; `first_hits` those whose outcome the
  code explains first (the first reason, in reason order, of the outcome's kind: a decline reason for a
  declined applicant, a refer reason for a referred one), so first hits add up to declined + referred and
  form the waterfall; `unique_hits` those for whom the code is the only reason of that kind (removing
  the rule alone would change their outcome).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from validation.analysis.simulate import SimulationResult

__all__ = ["compute_metrics", "attach_post_loan", "Metrics", "Figure", "GroupRow", "CombinationCell", "RuleRow",
           "FunnelStep", "ScoreBin",
           "Distribution", "HistogramBin", "ExpectedLoss", "LossFigures", "FIGURE_LABELS", "DEFAULT_LGD",
           "decided_view_sql", "nice_width"]

FIGURE_LABELS: dict[str, tuple[str, str]] = {
    "applicants": ("申请人数", "Applicants"),
    "approval_rate": ("通过率", "Approval rate"),
    "refer_rate": ("转人工率", "Refer rate (manual review)"),
    "decline_rate": ("拒绝率", "Decline rate"),
    "automation_rate": ("自动化率", "Automation rate"),
    "pd_approved": ("通过客户平均PD（模型）", "Mean PD of approved (model)"),
    "bad_rate_approved": ("通过客户坏账率（实际）", "Bad rate among approved (observed)"),
    "bad_rate_overall": ("全体坏账率（实际）", "Bad rate, all applicants (observed)"),
    "expected_loss_rate_approved": ("通过客户预期损失率（模型PD，按授信额度）",
                                    "EL rate of approved (model PD, on limits)"),
    "el_rate_approved_requested": ("通过客户预期损失率（模型PD，按申请金额）", "EL rate of approved (model PD, on requested)"),
    "el_rate_declined_requested": ("拒绝客户预期损失率（模型PD，按申请金额）", "EL rate of declined (model PD, on requested)"),
    "declined_to_approved_loss_ratio": ("拒绝/通过预期损失倍数（模型PD）", "EL ratio, declined / approved (model PD)"),
    "observed_loss_rate_approved": ("通过客户实际损失率（按授信额度）", "Loss rate of approved (observed, on limits)"),
    "observed_loss_rate_declined": ("拒绝客户实际损失率（按申请金额）", "Loss rate of declined (observed, on requested)"),
    "observed_declined_to_approved_ratio": ("拒绝/通过实际损失倍数", "Loss ratio, declined / approved (observed)"),
    "volume_lent": ("授信总额", "Volume lent (sum of approved limits)"),
    "average_limit": ("平均授信额度", "Average approved limit"),
    "average_apr": ("平均年化利率", "Average approved APR"),
    "m3plus_rate_12": ("第12个月M3+不良率（贷后账龄，按笔数）", "M3+ rate at month 12 (post-loan vintage, by count)"),
}
# risk_appetite target -> (figure, comparison)
_APPETITE = {
    "min_approval_rate": ("approval_rate", ">="),
    "max_approval_rate": ("approval_rate", "<="),
    "max_refer_rate": ("refer_rate", "<="),
    "min_automation_rate": ("automation_rate", ">="),
    "max_bad_rate_approved": ("pd_approved", "<="),
    "max_expected_loss_rate": ("expected_loss_rate_approved", "<="),
    "min_declined_to_approved_loss_ratio": ("declined_to_approved_loss_ratio", ">="),
    "max_m3plus_rate": ("m3plus_rate_12", "<="),
}
_FIGURE_UNITS = {"applicants": "count", "volume_lent": "money", "average_limit": "money", "average_apr": "rate",
                 "declined_to_approved_loss_ratio": "ratio", "observed_declined_to_approved_ratio": "ratio"}
DEFAULT_LGD = 0.45
"""LGD assumed when the data has no `loss_given_default` at all (the Basel foundation figure for senior
unsecured exposures)."""
_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
# histogram bins are floor(value / width + 1e-9): a value on a bin edge (0.12 with width 0.002) lands in
# the bin it starts, not the one below, despite binary floating point


@dataclass
class Figure:
    """A headline figure, judged against the risk appetite where a target is set."""

    key: str
    label_zh: str
    label_en: str
    value: float | int | None
    unit: str = "rate"  # rate (fraction), count, money, ratio
    targets: list[Target] = field(default_factory=list)

    @property
    def passed(self) -> bool | None:
        """False if any target fails, True if every one passes, None when nothing is judged."""
        verdicts = [t.passed for t in self.targets if t.passed is not None]
        return None if not verdicts else all(verdicts)


@dataclass
class Target:
    """One risk-appetite target: `actual op target`, e.g. approval_rate >= 0.35."""

    key: str
    op: str
    target: float
    actual: float | None
    passed: bool | None  # None when the figure cannot be computed (e.g. no outcome columns)


@dataclass
class CombinationCell:
    """One cell of a two-model product's matrix: applicants in the band of the first score and the grade of
    the second, the final band the matrix gives them, and how they fared."""

    band: str
    grade: str
    final: str
    applicants: int
    approve: int
    bad_rate: float | None  # observed, all applicants of the cell
    pd: float | None  # mean model PD

    @property
    def approval_rate(self) -> float | None:
        return self.approve / self.applicants if self.applicants else None


@dataclass
class GroupRow:
    """Outcomes of one segment, channel or band."""

    key: str
    label_zh: str
    label_en: str
    applicants: int
    approve: int
    refer: int
    decline: int
    approval_rate: float | None
    refer_rate: float | None
    decline_rate: float | None
    share: float | None
    bad_rate: float | None
    bad_rate_approved: float | None
    average_score: float | None
    min_score: int | None = None


@dataclass
class RuleRow:
    """Hits of one reason code."""

    code: str
    action: str
    kind: str
    name_zh: str
    name_en: str
    hits: int
    hit_rate: float | None
    first_hits: int
    unique_hits: int
    remaining: int  # applicants left after this step of the waterfall
    bad_rate_hit: float | None


@dataclass
class FunnelStep:
    key: str
    label_zh: str
    label_en: str
    count: int
    rate: float | None


@dataclass
class ScoreBin:
    lower: float
    upper: float
    approve: int
    refer: int
    decline: int
    bad_rate: float | None


@dataclass
class HistogramBin:
    lower: float
    upper: float
    count: int


@dataclass
class Distribution:
    """Distribution of a value among approved applicants."""

    count: int
    mean: float | None
    min: float | None
    max: float | None
    quantiles: dict[str, float | None]
    histogram: list[HistogramBin]


@dataclass
class LossFigures:
    """EL = PD x LGD x EAD by decision, on one basis of PD. Rates are EL / EAD."""

    approved_rate: float | None
    referred_rate: float | None
    declined_rate: float | None
    overall_rate: float | None
    declined_to_approved: float | None
    approved_el_on_limits: float | None
    approved_rate_on_limits: float | None


@dataclass
class ExpectedLoss:
    """Expected loss with the model PD of every applicant (`model`), and the loss observed where outcomes
    exist (the realised bad_flag in place of PD; the top-level rates, None without outcomes)."""

    basis: str  # what EAD is for the comparison: "requested_amount" or "per_applicant"
    approved_rate: float | None
    referred_rate: float | None
    declined_rate: float | None
    overall_rate: float | None
    declined_to_approved: float | None
    approved_el_on_limits: float | None
    approved_rate_on_limits: float | None
    mean_lgd: float | None
    model: LossFigures | None = None
    pd_source: str = "scaling"  # calibration (fitted on outcomes) or scaling (declared)
    lgd_assumed: bool = False  # the data has no LGD: DEFAULT_LGD stands in


@dataclass
class Metrics:
    """Every figure of one simulation."""

    product_id: str
    product_name_zh: str
    product_name_en: str
    product_version: str
    spec_hash: str
    source: str
    applicants: int
    simulate_seconds: float
    has_outcomes: bool
    approve: int
    refer: int
    decline: int
    figures: list[Figure]
    funnel: list[FunnelStep]
    by_segment: list[GroupRow]
    by_channel: list[GroupRow]
    by_band: list[GroupRow]
    rules: list[RuleRow]
    score_histogram: list[ScoreBin]
    expected_loss: ExpectedLoss
    limit: Distribution
    apr: Distribution
    notes: list[str] = field(default_factory=list)
    model: object = None  # validation.model.model_report.ModelReport: the score judged on the outcomes, if any
    post_loan: object = None  # validation.analysis.post_loan.PostLoanReport: the approved book aged, if asked
    by_combination: list[CombinationCell] = field(default_factory=list)  # a second scorecard: band x grade cells

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    def value(self, key: str):
        """The value of a headline figure, e.g. `value("approval_rate")`."""
        return self.figure(key).value

    @property
    def failed(self) -> list[Figure]:
        return [f for f in self.figures if f.passed is False]

    def to_dict(self) -> dict:
        out = asdict(self)
        for fig, data in zip(self.figures, out["figures"], strict=True):
            data["passed"] = fig.passed
        out["model"] = self.model.to_dict() if self.model is not None else None
        return out


def decided_view_sql(result: SimulationResult, table: str = "ls_result") -> str:
    """A view of the result with fixed column names: decision, segment, score, band, reasons, limit,
    apr, sim_row, applicant_id, channel, requested, bad, lgd, dpd (NULL when the data has none)."""
    from sqlglot import exp

    spec = result.checked.spec
    names = set(result.table.column_names)

    def col(name, alias, cast=None):
        value = exp.column(name, quoted=True) if name in names else exp.Null()
        if cast:
            value = exp.cast(value, cast)
        return exp.alias_(value, alias, quoted=True)

    requested = spec.limits.requested_field
    columns = [col(n, n) for n in ("decision", "segment", "score", "band", "pd", "reasons", "limit", "apr", "sim_row")]
    columns += [col("applicant_id", "applicant_id", "VARCHAR"), col(spec.product.channel_field, "channel", "VARCHAR"),
                col(requested, "requested", "DOUBLE") if requested
                else exp.alias_(exp.Literal.number(1), "requested", quoted=True),
                col("bad_flag", "bad", "INTEGER"), col("loss_given_default", "lgd", "DOUBLE"),
                col("max_dpd_12m", "dpd", "INTEGER")]
    return exp.select(*columns).from_(exp.to_table(table)).sql(dialect="duckdb")


class _Queries:
    """Runs fixed queries on one connection holding each result as a view (`decided` by default)."""

    def __init__(self, result: SimulationResult, **more: SimulationResult):
        from generators.decision import decision_connection

        self.con = decision_connection()
        for name, res in {"decided": result, **more}.items():
            self.con.register(f"ls_{name}", res.table)
            self.con.execute(f"CREATE TEMP VIEW {name} AS " + decided_view_sql(res, f"ls_{name}"))

    def rows(self, sql: str, params: dict | None = None) -> list[dict]:
        cursor = self.con.execute(sql, params or {})
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def one(self, sql: str, params: dict | None = None) -> dict:
        return self.rows(sql, params)[0]

    def close(self) -> None:
        self.con.close()


_OVERALL = """
SELECT count(*) AS n,
       count(*) FILTER (WHERE decision = 'approve') AS approve,
       count(*) FILTER (WHERE decision = 'refer') AS refer,
       count(*) FILTER (WHERE decision = 'decline') AS decline,
       count(bad) AS with_outcome,
       avg(bad) AS bad_rate,
       avg(bad) FILTER (WHERE decision = 'approve') AS bad_rate_approved,
       avg(pd) FILTER (WHERE decision = 'approve') AS pd_approved,
       coalesce(sum("limit") FILTER (WHERE decision = 'approve'), 0) AS volume,
       avg("limit") FILTER (WHERE decision = 'approve') AS average_limit,
       avg(apr) FILTER (WHERE decision = 'approve') AS average_apr,
       min(score) AS min_score, max(score) AS max_score
FROM decided
"""

_GROUPS = """
SELECT CASE WHEN grouping(segment) = 0 THEN 'segment' WHEN grouping(channel) = 0 THEN 'channel'
            ELSE 'band' END AS dimension,
       coalesce(segment, channel, band) AS key,
       count(*) AS applicants,
       count(*) FILTER (WHERE decision = 'approve') AS approve,
       count(*) FILTER (WHERE decision = 'refer') AS refer,
       count(*) FILTER (WHERE decision = 'decline') AS decline,
       avg(bad) AS bad_rate,
       avg(bad) FILTER (WHERE decision = 'approve') AS bad_rate_approved,
       avg(score) AS average_score
FROM decided
GROUP BY GROUPING SETS ((segment), (channel), (band))
"""

_RULES = """
WITH hits AS (
    SELECT decision, bad,
           unnest(reasons) AS code,
           list_filter(reasons, lambda c: list_contains($decline_codes, c)) AS declines,
           list_filter(reasons, lambda c: list_contains($refer_codes, c)) AS refers
    FROM decided
)
SELECT code,
       count(*) AS hits,
       count(*) FILTER (WHERE (decision = 'decline' AND declines[1] = code)
                           OR (decision = 'refer' AND refers[1] = code)) AS first_hits,
       count(*) FILTER (WHERE (decision = 'decline' AND len(declines) = 1 AND declines[1] = code)
                           OR (decision = 'refer' AND len(refers) = 1 AND refers[1] = code)) AS unique_hits,
       avg(bad) AS bad_rate_hit
FROM hits
GROUP BY code
"""

_FUNNEL = """
SELECT count(*) AS applicants,
       count(*) FILTER (WHERE NOT list_has_any(reasons, $admission)) AS pass_admission,
       count(*) FILTER (WHERE NOT list_has_any(reasons, $channel)) AS pass_channel,
       count(*) FILTER (WHERE NOT list_has_any(reasons, $score)) AS pass_score,
       count(*) FILTER (WHERE NOT list_has_any(reasons, $limit)) AS pass_limit,
       count(*) FILTER (WHERE decision = 'approve') AS approved
FROM decided
"""

_SCORE_BINS = """
SELECT floor(score / $width + 1e-9) * $width AS lower,
       count(*) FILTER (WHERE decision = 'approve') AS approve,
       count(*) FILTER (WHERE decision = 'refer') AS refer,
       count(*) FILTER (WHERE decision = 'decline') AS decline,
       avg(bad) AS bad_rate
FROM decided
GROUP BY ALL
ORDER BY lower
"""

_EXPECTED_LOSS = """
WITH mean_lgd AS (SELECT avg(lgd) FILTER (WHERE bad = 1) AS bad_lgd, avg(lgd) AS any_lgd FROM decided),
fill AS (SELECT bad_lgd AS mean_lgd, coalesce(bad_lgd, any_lgd, $default_lgd) AS lgd, any_lgd IS NULL AS assumed
         FROM mean_lgd),
loss AS (
    SELECT decision, requested, "limit",
           pd * coalesce(decided.lgd, fill.lgd) AS model_share,
           bad * coalesce(decided.lgd, fill.lgd) AS loss_share
    FROM decided, fill
)
SELECT decision,
       sum(loss_share * requested) AS el,
       sum(requested) FILTER (WHERE loss_share IS NOT NULL) AS ead,
       sum(loss_share * "limit") AS el_limit,
       sum("limit") FILTER (WHERE loss_share IS NOT NULL) AS ead_limit,
       sum(model_share * requested) AS model_el,
       sum(requested) AS model_ead,
       sum(model_share * "limit") AS model_el_limit,
       sum("limit") AS model_ead_limit,
       (SELECT mean_lgd FROM fill) AS mean_lgd,
       (SELECT assumed FROM fill) AS lgd_assumed
FROM loss
GROUP BY GROUPING SETS ((decision), ())
"""

_DISTRIBUTION = """
SELECT count(v) AS count, avg(v) AS mean, min(v) AS min, max(v) AS max,
       quantile_cont(v, $quantiles) AS quantiles
FROM (SELECT {column} AS v FROM decided WHERE decision = 'approve')
"""

_HISTOGRAM = """
SELECT floor(v / $width + 1e-9) * $width AS lower, count(*) AS count
FROM (SELECT {column} AS v FROM decided WHERE decision = 'approve' AND {column} IS NOT NULL)
GROUP BY ALL
ORDER BY lower
"""


def _ratio(a, b) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return float(a) / float(b)


def as_float(value) -> float | None:
    """A SQL number (Decimal, int, float or NULL) as a float or None."""
    return None if value is None else float(value)


def nice_width(low: float, high: float, bins: int = 20, minimum: float = 0) -> float:
    """A round bin width (1, 2, 2.5 or 5 times a power of ten) giving about `bins` bins over low..high."""
    span = max(float(high) - float(low), 0)
    if span == 0:
        return max(minimum, 1.0)
    raw = span / bins
    power = 10 ** math.floor(math.log10(raw))
    width = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if minimum and width < minimum:
        width = float(minimum) * math.ceil(width / float(minimum))
    return float(width)


def attach_post_loan(metrics: Metrics, report) -> Metrics:
    """Add a post-loan ageing (validation.analysis.post_loan.PostLoanReport) to a simulation's figures:
    its M3+ rate at month 12 becomes a headline figure, judged against `max_m3plus_rate`."""
    metrics.post_loan = report
    figure = metrics.figure("m3plus_rate_12")
    figure.value = report.m3plus_rate_12
    for target in figure.targets:
        target.actual = figure.value
        target.passed = None if figure.value is None else (
            figure.value >= target.target if target.op == ">=" else figure.value <= target.target)
    if report.m3plus_rate_12 is None:
        metrics.notes.append(f"the book was aged {report.months} months: M3+ at month 12 needs 12 or more")
    metrics.notes.extend(report.notes)
    return metrics


def compute_metrics(result: SimulationResult) -> Metrics:
    """Every figure of a simulation, judged against the product's risk appetite."""
    q = _Queries(result)
    try:
        return _Builder(result, q).build()
    finally:
        q.close()


class _Builder:
    def __init__(self, result: SimulationResult, q: _Queries):
        self.result, self.q = result, q
        self.checked = result.checked
        self.spec = result.checked.spec
        self.reasons = self.checked.reasons()

    def build(self) -> Metrics:
        overall = self.q.one(_OVERALL)
        n = overall["n"]
        self.n = n
        has_outcomes = bool(overall["with_outcome"])
        groups = self._groups()
        el = self._expected_loss()
        figures = self._figures(overall, el)
        spec = self.spec
        notes = list(self.result.notes)
        if spec.limits.requested_field is None:
            notes.append("the product has no requested-amount field: EL rates are per applicant (PD x LGD)")
        if el.pd_source == "scaling":
            notes.append("model PD is read off the scorecard's declared scaling, which was not fitted to outcomes: "
                         "train or calibrate the scorecard for a true PD (loanstudio scorecard train | calibrate)")
        if el.lgd_assumed:
            notes.append(f"the data has no loss_given_default: an LGD of {DEFAULT_LGD:.0%} is assumed")
        if not has_outcomes:
            notes.append("the data has no outcomes: observed figures are unavailable (—), model figures are filled")
        return Metrics(
            product_id=spec.product.id, product_name_zh=spec.product.name.zh,
            product_name_en=spec.product.name.en, product_version=spec.product.version, spec_hash=self.checked.spec_hash,
            source=self.result.source, applicants=n, simulate_seconds=round(self.result.seconds, 3),
            has_outcomes=has_outcomes, approve=overall["approve"], refer=overall["refer"],
            decline=overall["decline"], figures=figures, funnel=self._funnel(),
            by_segment=groups["segment"], by_channel=groups["channel"], by_band=groups["band"],
            rules=self._rules(), score_histogram=self._score_bins(overall), expected_loss=el,
            limit=self._distribution('"limit"', float(spec.limits.step)),
            apr=self._distribution("apr", 0.0005), notes=notes, model=self._model(),
            by_combination=self._combination())

    def _combination(self) -> list[CombinationCell]:
        """A two-model product: per band of the first score (read off `score`) and grade of the second, the
        applicants, approvals, observed bad rate and mean PD, with the final band the matrix gives them."""
        second = self.spec.scorecard.second
        if second is None or "second_grade" not in self.result.table.column_names:
            return []
        from sqlglot import exp

        bands = self.spec.decision.bands
        first = exp.Case(ifs=[exp.If(this=exp.GTE(this=exp.column("score"), expression=exp.Literal.number(b.min_score)),
                                     true=exp.Literal.string(b.id)) for b in bands[:-1]],
                         default=exp.Literal.string(bands[-1].id))
        sql = exp.select(
            exp.alias_(first, "first_band"), exp.alias_(exp.cast(exp.column("second_grade"), "VARCHAR"), "grade"),
            exp.alias_(exp.Count(this=exp.Star()), "n"),
            exp.alias_(exp.Sum(this=exp.Case(ifs=[exp.If(this=exp.EQ(this=exp.column("decision"),
                                                                     expression=exp.Literal.string("approve")),
                                                         true=exp.Literal.number(1))],
                                             default=exp.Literal.number(0))), "approve"),
            exp.alias_(exp.Avg(this=exp.column("bad_flag")) if "bad_flag" in self.result.table.column_names
                       else exp.Null(), "bad_rate"),
            exp.alias_(exp.Avg(this=exp.column("pd")), "pd"),
        ).from_("ls_decided").group_by(exp.column("first_band"), exp.column("grade")).sql(dialect="duckdb")
        found = {(r["first_band"], r["grade"]): r for r in self.q.rows(sql)}
        out = []
        for b in bands:
            for g in second.grades:
                row = found.get((b.id, g.id), {"n": 0, "approve": 0, "bad_rate": None, "pd": None})
                out.append(CombinationCell(b.id, g.id, second.matrix[b.id][g.id], int(row["n"]), int(row["approve"] or 0),
                                           as_float(row["bad_rate"]), as_float(row["pd"])))
        return out

    def _model(self):
        from validation.model.model_report import judge_result

        return judge_result(self.result)

    # --- headline figures ----------------------------------------------------------------------
    def _figures(self, overall: dict, el: ExpectedLoss) -> list[Figure]:
        n = overall["n"]
        values = {
            "applicants": n,
            "approval_rate": _ratio(overall["approve"], n),
            "refer_rate": _ratio(overall["refer"], n),
            "decline_rate": _ratio(overall["decline"], n),
            "automation_rate": _ratio(n - overall["refer"], n),
            "pd_approved": as_float(overall["pd_approved"]),
            "bad_rate_approved": as_float(overall["bad_rate_approved"]),
            "bad_rate_overall": as_float(overall["bad_rate"]),
            "expected_loss_rate_approved": el.model.approved_rate_on_limits,
            "el_rate_approved_requested": el.model.approved_rate,
            "el_rate_declined_requested": el.model.declined_rate,
            "declined_to_approved_loss_ratio": el.model.declined_to_approved,
            "observed_loss_rate_approved": el.approved_rate_on_limits,
            "observed_loss_rate_declined": el.declined_rate,
            "observed_declined_to_approved_ratio": el.declined_to_approved,
            "volume_lent": float(overall["volume"]),
            "average_limit": as_float(overall["average_limit"]),
            "average_apr": as_float(overall["average_apr"]),
            "m3plus_rate_12": None,  # filled by attach_post_loan
        }
        figures = {k: Figure(k, *FIGURE_LABELS[k], v, _FIGURE_UNITS.get(k, "rate")) for k, v in values.items()}
        appetite = self.spec.risk_appetite
        for key, (figure, op) in _APPETITE.items():
            target = getattr(appetite, key)
            if target is None:
                continue
            actual = figures[figure].value
            passed = None if actual is None else (actual >= float(target) if op == ">=" else actual <= float(target))
            figures[figure].targets.append(Target(key, op, float(target), actual, passed))
        return list(figures.values())

    # --- breakdowns ----------------------------------------------------------------------------
    def _groups(self) -> dict[str, list[GroupRow]]:
        spec = self.spec
        labels = {
            "segment": {s.id: (s.name.zh, s.name.en) for s in spec.segments},
            "channel": {c.id: (c.name.zh, c.name.en) for c in spec.channels},
            "band": {b.id: (b.name.zh, b.name.en) for b in spec.decision.bands},
        }
        found: dict[str, dict[str, dict]] = {k: {} for k in labels}
        for row in self.q.rows(_GROUPS):
            found[row["dimension"]][row["key"]] = row
        mins = {b.id: b.min_score for b in spec.decision.bands}
        out = {}
        for dimension, names in labels.items():
            keys = list(names) + sorted(k for k in found[dimension] if k not in names and k is not None)
            rows = []
            for key in keys:
                row = found[dimension].get(key) or {"applicants": 0, "approve": 0, "refer": 0, "decline": 0}
                a = row["applicants"]
                zh, en = names.get(key, (str(key), str(key)))
                rows.append(GroupRow(
                    key=str(key), label_zh=zh, label_en=en, applicants=a, approve=row["approve"],
                    refer=row["refer"], decline=row["decline"], approval_rate=_ratio(row["approve"], a),
                    refer_rate=_ratio(row["refer"], a), decline_rate=_ratio(row["decline"], a),
                    share=_ratio(a, self.n), bad_rate=as_float(row.get("bad_rate")),
                    bad_rate_approved=as_float(row.get("bad_rate_approved")),
                    average_score=as_float(row.get("average_score")),
                    min_score=mins.get(key) if dimension == "band" else None))
            out[dimension] = rows
        return out

    def _codes(self, action: str) -> list[str]:
        return [r.code for r in self.reasons if r.action == action]

    def _rules(self) -> list[RuleRow]:
        found = {r["code"]: r for r in self.q.rows(
            _RULES, {"decline_codes": self._codes("decline"), "refer_codes": self._codes("refer")})}
        # the waterfall: every decline reason (reason order), then every refer reason
        ordered = [r for r in self.reasons if r.action == "decline"] + [r for r in self.reasons if r.action == "refer"]
        remaining = self.n
        out = []
        for info in ordered:
            row = found.get(info.code, {})
            first = row.get("first_hits", 0)
            remaining -= first
            out.append(RuleRow(info.code, info.action, info.source, info.name_zh, info.name_en,
                               hits=row.get("hits", 0), hit_rate=_ratio(row.get("hits", 0), self.n),
                               first_hits=first, unique_hits=row.get("unique_hits", 0), remaining=remaining,
                               bad_rate_hit=as_float(row.get("bad_rate_hit"))))
        return out

    def _funnel(self) -> list[FunnelStep]:
        declines = {kind: [r.code for r in self.reasons if r.action == "decline" and r.source in kinds]
                    for kind, kinds in (("admission", {"admission"}), ("channel", {"admission", "channel", "system"}),
                                        ("score", {"admission", "channel", "system", "matrix"}),
                                        ("limit", {"admission", "channel", "system", "matrix", "limit"}))}
        row = self.q.one(_FUNNEL, declines)
        steps = [("applicants", "申请", "Applicants"), ("pass_admission", "通过准入规则", "Pass admission rules"),
                 ("pass_channel", "通过渠道规则", "Pass channel rules"),
                 ("pass_score", "通过评分矩阵", "Pass score cut-off (matrix)"),
                 ("pass_limit", "额度不低于最低额度", "Limit at least the minimum"),
                 ("approved", "自动通过", "Approved automatically")]
        return [FunnelStep(k, zh, en, row[k], _ratio(row[k], self.n)) for k, zh, en in steps]

    def _score_bins(self, overall: dict) -> list[ScoreBin]:
        if overall["min_score"] is None:
            return []
        width = nice_width(overall["min_score"], overall["max_score"], 30, 5)
        rows = self.q.rows(_SCORE_BINS, {"width": width})
        return [ScoreBin(float(r["lower"]), float(r["lower"]) + width, r["approve"], r["refer"], r["decline"],
                         as_float(r["bad_rate"])) for r in rows]

    def _expected_loss(self) -> ExpectedLoss:
        basis = "requested_amount" if self.spec.limits.requested_field else "per_applicant"
        rows = {r["decision"]: r for r in self.q.rows(_EXPECTED_LOSS, {"default_lgd": DEFAULT_LGD})}
        total = rows.get(None, {})

        def rate(decision, prefix=""):
            row = rows.get(decision, {})
            return _ratio(row.get(f"{prefix}el"), row.get(f"{prefix}ead"))

        approved = rows.get("approve", {})
        model = LossFigures(
            approved_rate=rate("approve", "model_"), referred_rate=rate("refer", "model_"),
            declined_rate=rate("decline", "model_"), overall_rate=rate(None, "model_"),
            declined_to_approved=_ratio(rate("decline", "model_"), rate("approve", "model_")),
            approved_el_on_limits=as_float(approved.get("model_el_limit")),
            approved_rate_on_limits=_ratio(approved.get("model_el_limit"), approved.get("model_ead_limit")))
        return ExpectedLoss(
            model=model, pd_source=self.checked.pd_mapping().source, lgd_assumed=bool(total.get("lgd_assumed")),
            basis=basis, approved_rate=rate("approve"), referred_rate=rate("refer"), declined_rate=rate("decline"),
            overall_rate=_ratio(total.get("el"), total.get("ead")),
            declined_to_approved=_ratio(rate("decline"), rate("approve")),
            approved_el_on_limits=as_float(approved.get("el_limit")),
            approved_rate_on_limits=_ratio(approved.get("el_limit"), approved.get("ead_limit")),
            mean_lgd=as_float(total.get("mean_lgd")))

    def _distribution(self, column: str, minimum_width: float) -> Distribution:
        stats = self.q.one(_DISTRIBUTION.format(column=column), {"quantiles": list(_QUANTILES)})
        quantiles = dict(zip((f"p{round(p * 100):02d}" for p in _QUANTILES),
                             stats["quantiles"] or [None] * len(_QUANTILES), strict=True))
        histogram = []
        if stats["count"]:
            width = nice_width(stats["min"], stats["max"], 20, minimum_width)
            histogram = [HistogramBin(float(r["lower"]), float(r["lower"]) + width, r["count"])
                         for r in self.q.rows(_HISTOGRAM.format(column=column), {"width": width})]
        return Distribution(stats["count"], as_float(stats["mean"]), as_float(stats["min"]), as_float(stats["max"]),
                            {k: as_float(v) for k, v in quantiles.items()}, histogram)
