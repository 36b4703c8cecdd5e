"""The figures of a simulation and of a comparison as presentation-neutral tables, laid out once.

A `Table` has an id, a bilingual title, typed columns and rows of plain values; the terminal (rich), the
HTML report and the Streamlit designer each draw the same tables, formatting every cell by its column's
unit with `validation.analysis.display`. Text that exists in both languages is a `Bi` cell: the terminal
and the report show both, the designer the user's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from validation.analysis.display import MISSING, figure, money, pct, short, signed_pp

__all__ = ["Bi", "Column", "Table", "format_cell", "metrics_tables", "comparison_tables", "checks_table",
           "model_tables", "cutoff_tables", "drift_tables", "post_loan_tables", "DIFF_ROWS_PRINTED"]

DIFF_ROWS_PRINTED = 20
"""Rows of the outcome diff a terminal shows (the report and --json carry more)."""


@dataclass(frozen=True)
class Bi:
    """A text in Chinese and English."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.zh if self.zh == self.en else f"{self.zh} / {self.en}"

    def pick(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class Column:
    """One column: its header, and the unit every cell of it is formatted by.

    Units: text, code (an identifier: reason code, band), path (a spec path), count, rate (fraction shown
    as %), money, ratio, ratio_plain (a number with three decimals: AUC, WOE, PSI), pp (a change in
    percentage points), score (one decimal), verdict (True / False / None), bar (a fraction 0..1 drawn as a
    bar in text renderers), formatted (a value that formats itself).
    """

    label: Bi
    unit: str = "text"
    digits: int = 2

    @property
    def numeric(self) -> bool:
        return self.unit in ("count", "rate", "money", "ratio", "pp", "score", "ratio_plain")


@dataclass(frozen=True)
class Table:
    """A titled table of plain values; `row_status` (optional) marks rows passing (True) or failing (False)."""

    id: str
    title: Bi
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    row_status: tuple[bool | None, ...] = ()
    note: Bi | None = None
    extra: dict = field(default_factory=dict)

    def records(self, language: str = "en") -> list[dict]:
        """Rows as dicts of formatted text keyed by column label (for a dataframe)."""
        labels = [c.label.pick(language) for c in self.columns]
        return [{label: format_cell(v, c, language) for label, v, c in zip(labels, row, self.columns, strict=True)}
                for row in self.rows]


def format_cell(value, column: Column, language: str | None = None) -> str:
    """A cell as text: `language` None shows both languages of a Bi cell."""
    if isinstance(value, Bi):
        return str(value) if language is None else value.pick(language)
    if value is None:
        return MISSING
    unit = column.unit
    if unit == "count":
        return f"{value:,}"
    if unit == "rate":
        return pct(value, column.digits)
    if unit == "money":
        return money(value)
    if unit == "ratio":
        return figure(value, "ratio")
    if unit == "pp":
        return signed_pp(value)
    if unit == "score":
        return f"{value:,.1f}"
    if unit == "ratio_plain":
        return f"{value:,.3f}"
    if unit == "formatted":
        return str(value)
    if unit == "verdict":
        return "PASS" if value else "FAIL"
    if unit == "bar":
        return "#" * round(30 * value)
    return str(value)


def _t(zh: str, en: str) -> Bi:
    return Bi(zh, en)


def _col(zh: str, en: str, unit: str = "text", digits: int = 2) -> Column:
    return Column(Bi(zh, en), unit, digits)


# --- a simulation ------------------------------------------------------------------------------------------

def metrics_tables(m) -> list[Table]:
    """Every figure of a `Metrics` as tables, in reading order."""
    return [_figures(m), _funnel(m), _groups("by_segment", _t("客群", "By segment"), m.by_segment),
            _groups("by_channel", _t("渠道", "By channel"), m.by_channel),
            _groups("by_band", _t("评分档", "By band"), m.by_band, band=True)] + (
                [_combination(m)] if getattr(m, "by_combination", None) else []) + [_rules(m), _scores(m),
            _expected_loss(m), _distributions(m), _histogram("limit_histogram", _t("额度分布", "Limit histogram"),
                                                             m.limit, "money"),
            _histogram("apr_histogram", _t("利率分布", "APR histogram"), m.apr, "rate")] + (
                model_tables(m.model) if getattr(m, "model", None) is not None else []) + (
                post_loan_tables(m.post_loan) if getattr(m, "post_loan", None) is not None else [])


def _figures(m) -> Table:
    rows, status = [], []
    for f in m.figures:
        target = "; ".join(f"{t.op} {figure(t.target, f.unit)}" for t in f.targets) or MISSING
        rows.append((Bi(f.label_zh, f.label_en), figure(f.value, f.unit), target, f.passed))
        status.append(f.passed)
    return Table("figures", _t("核心指标", "Key figures (risk appetite)"),
                 (_col("指标", "Figure"), _col("实际", "Actual"), _col("目标", "Target"),
                  _col("结果", "Result", "verdict")), tuple(rows), tuple(status))


def _funnel(m) -> Table:
    return Table("funnel", _t("决策漏斗", "Decision funnel"),
                 (_col("步骤", "Step"), _col("人数", "Applicants", "count"), _col("占比", "Share", "rate", 1)),
                 tuple((Bi(s.label_zh, s.label_en), s.count, s.rate) for s in m.funnel))


def _combination(m) -> Table:
    """A two-model product's matrix, cell by cell: band of the first score x grade of the second."""
    return Table("by_combination", _t("双模型矩阵（首个评分分档 × 第二评分等级）",
                                      "Two models: band of the first score x grade of the second"),
                 (_col("分档", "Band", "code"), _col("等级", "Grade", "code"), _col("最终分档", "Final band", "code"),
                  _col("人数", "Applicants", "count"), _col("通过率", "Approve", "rate", 1),
                  _col("坏账率（实际）", "Bad rate (observed)", "rate"), _col("平均PD（模型）", "Mean PD (model)", "rate")),
                 tuple((c.band, c.grade, c.final, c.applicants, c.approval_rate, c.bad_rate, c.pd)
                       for c in m.by_combination))


def _groups(table_id: str, title: Bi, rows, band: bool = False) -> Table:
    columns = [_col("代码", "Key", "code"), _col("名称", "Name")]
    if band:
        columns.append(_col("最低分", "Min score", "count"))
    columns += [_col("人数", "Applicants", "count"), _col("占比", "Share", "rate", 1),
                _col("通过率", "Approve", "rate", 1), _col("转人工率", "Refer", "rate", 1),
                _col("拒绝率", "Decline", "rate", 1), _col("坏账率（实际）", "Bad rate (observed)", "rate"),
                _col("通过坏账率（实际）", "Bad rate approved (observed)", "rate"), _col("平均分", "Avg score", "score")]
    body = []
    for r in rows:
        cells = [r.key, Bi(r.label_zh, r.label_en)] + ([r.min_score] if band else [])
        body.append(tuple(cells + [r.applicants, r.share, r.approval_rate, r.refer_rate, r.decline_rate, r.bad_rate,
                                   r.bad_rate_approved, r.average_score]))
    return Table(table_id, title, tuple(columns), tuple(body))


def _rules(m) -> Table:
    actions = {"decline": _t("拒绝", "decline"), "refer": _t("转人工", "refer")}
    return Table(
        "rules", _t("规则命中与瀑布", "Rule hits and waterfall"),
        (_col("代码", "Code", "code"), _col("规则", "Rule"), _col("动作", "Action"), _col("类别", "Kind"),
         _col("命中数", "Hits", "count"), _col("命中率", "Hit rate", "rate"), _col("首次命中", "First hits", "count"),
         _col("唯一命中", "Unique hits", "count"), _col("剩余", "Remaining", "count"),
         _col("命中坏账率（实际）", "Bad rate of hits (observed)", "rate")),
        tuple((r.code, Bi(r.name_zh, r.name_en), actions.get(r.action, r.action), r.kind, r.hits, r.hit_rate,
               r.first_hits, r.unique_hits, r.remaining, r.bad_rate_hit) for r in m.rules),
        note=_t("首次命中：决定该申请人结果的第一个原因；唯一命中：该规则是唯一的同类原因。",
                "First hits: the first reason of the outcome's kind; unique hits: the only reason of that kind."))


def _scores(m) -> Table:
    return Table("score_histogram", _t("评分分布", "Score distribution"),
                 (_col("评分", "Score"), _col("通过", "Approve", "count"), _col("转人工", "Refer", "count"),
                  _col("拒绝", "Decline", "count"), _col("坏账率（实际）", "Bad rate (observed)", "rate")),
                 tuple((f"{b.lower:g}-{b.upper:g}", b.approve, b.refer, b.decline, b.bad_rate)
                       for b in m.score_histogram))


def _expected_loss(m) -> Table:
    el = m.expected_loss
    model = el.model
    basis = el.basis.replace("_", " ")
    source = {"calibration": ("校准", "calibrated"), "scaling": ("声明的刻度，未拟合", "declared scaling, not fitted")}
    zh_source, en_source = source.get(el.pd_source, (el.pd_source, el.pd_source))

    def both(attr: str, unit: str = "rate"):
        values = (getattr(model, attr) if model else None, getattr(el, attr))
        if unit == "ratio":
            return tuple(figure(v, "ratio") for v in values)
        if unit == "money":
            return tuple(money(v) for v in values)
        return tuple(pct(v, 3) for v in values)

    rows = ((_t("通过", "approved"), *both("approved_rate")), (_t("转人工", "referred"), *both("referred_rate")),
            (_t("拒绝", "declined"), *both("declined_rate")), (_t("全体", "all"), *both("overall_rate")),
            (_t("拒绝/通过倍数", "declined / approved"), *both("declined_to_approved", "ratio")),
            (_t("通过客户预期损失（按授信额度）", "approved EL on limits"), *both("approved_el_on_limits", "money")),
            (_t("通过客户预期损失率（按授信额度）", "approved EL rate on limits"), *both("approved_rate_on_limits")),
            (_t("平均违约损失率", "mean LGD of bad applicants"), pct(el.mean_lgd, 1), pct(el.mean_lgd, 1)))
    return Table("expected_loss", _t("预期损失", f"Expected loss (PD x LGD x EAD; EAD = {basis})"),
                 (_col("人群", "Population"), _col("模型PD预期损失率", "EL rate (model PD)"),
                  _col("实际损失率", "Loss rate (observed)")), rows,
                 note=_t(f"EL = PD × LGD × EAD；EAD：{basis}；模型PD：{zh_source}，覆盖每位申请人（含拒绝）；实际：仅限有结果的申请人。",
                         f"EL = PD × LGD × EAD; EAD: {basis}; model PD ({en_source}) for every applicant, declined "
                         "ones included; observed: realised outcomes, where the data has them."))


def _distributions(m) -> Table:
    def row(name: Bi, d, unit: str):
        q = d.quantiles
        return (name, d.count) + tuple(_Formatted(v, unit) for v in (
            d.mean, d.min, q.get("p05"), q.get("p25"), q.get("p50"), q.get("p75"), q.get("p95"), d.max))

    columns = (_col("指标", "Value"), _col("人数", "Count", "count")) + tuple(
        _col(zh, en, "formatted") for zh, en in (("均值", "Mean"), ("最小", "Min"), ("p5", "p5"), ("p25", "p25"),
                                                 ("p50", "p50"), ("p75", "p75"), ("p95", "p95"), ("最大", "Max")))
    return Table("distributions", _t("额度与利率", "Limits and APR of approved"), columns,
                 (row(_t("授信额度", "limit"), m.limit, "money"), row(_t("年化利率", "APR"), m.apr, "rate")),
                 extra={"volume_lent": m.value("volume_lent")})


def _histogram(table_id: str, title: Bi, d, unit: str) -> Table:
    top = max((b.count for b in d.histogram), default=0)
    return Table(table_id, title,
                 (_col("从", "From", unit), _col("到", "To", unit), _col("通过", "Approved", "count"), _col("", "", "bar")),
                 tuple((b.lower, b.upper, b.count, b.count / top if top else 0) for b in d.histogram))


@dataclass(frozen=True)
class _Formatted:
    """A value whose unit is known per row (a table mixing money and rates in one column)."""

    value: object
    unit: str

    def __str__(self) -> str:
        return format_cell(self.value, Column(Bi("", ""), self.unit))


# --- a comparison ------------------------------------------------------------------------------------------

def comparison_tables(c, diff_rows: int | None = None) -> list[Table]:
    """A champion / challenger comparison as tables: summary, swap sets, transitions, spec changes, diff."""
    ident = [f"{x['product_id']} {x['version']} ({x['spec_hash'][:12]})" for x in (c.champion, c.challenger)]
    summary = Table(
        "comparison", _t("冠军 / 挑战者", "Champion vs challenger"),
        (_col("", ""), _col("冠军", "Champion"), _col("挑战者", "Challenger"), _col("变化", "Change")),
        ((_t("产品", "product"), ident[0], ident[1], ""),
         (_t("通过率", "approval rate"), pct(c.champion_approval_rate), pct(c.challenger_approval_rate),
          signed_pp(c.approval_rate_change)),
         (_t("通过客户坏账率（实际）", "bad rate among approved (observed)"), pct(c.champion_bad_rate_approved),
          pct(c.challenger_bad_rate_approved), signed_pp(c.bad_rate_approved_change))))
    swaps = Table(
        "swaps", _t("换入 / 换出", "Swap sets"),
        (_col("集合", "Set"), _col("人数", "Applicants", "count"), _col("其中转人工", "of which referred", "count"),
         _col("占比", "Share", "rate"), _col("坏账率（实际）", "Bad rate (observed)", "rate"), _col("额度", "Limits", "money")),
        tuple((name, s.count, s.referred, s.share, s.bad_rate, s.volume) for s, name in (
            (c.swap_in, _t("换入（冠军未通过、挑战者通过）", "Swap-in (champion declines or refers, challenger approves)")),
            (c.swap_out, _t("换出（冠军通过、挑战者未通过）", "Swap-out (champion approves, challenger declines or refers)")))))
    decisions = ("approve", "refer", "decline")
    transitions = Table(
        "transitions", _t("决策迁移（行：冠军，列：挑战者）", "Decision transitions (rows: champion, columns: challenger)"),
        (_col("冠军", "champion"),) + tuple(_col(d, d, "count") for d in decisions),
        tuple((a,) + tuple(sum(x.count for x in c.transitions if x.champion == a and x.challenger == b)
                           for b in decisions) for a in decisions))
    changes = Table(
        "spec_changes", _t("策略差异", "What changed in the spec"),
        (_col("类别", "category"), _col("位置", "path", "path"), _col("变化", "change"), _col("原值", "before"),
         _col("新值", "after")),
        tuple((s.category, s.path, s.kind, short(s.before, 160), short(s.after, 160)) for s in c.spec_changes))
    shown = c.diff_rows if diff_rows is None else c.diff_rows[:diff_rows]
    diff = Table(
        "diff", _t("结果差异明细", "Outcome differences"),
        (_col("#", "row"), _col("申请编号", "applicant"), _col("变化", "changes"),
         _col("冠军决策", "champion decision"), _col("挑战者决策", "challenger decision"),
         _col("冠军客群/档", "champion seg/band"), _col("挑战者客群/档", "challenger seg/band"),
         _col("冠军评分", "champion score"), _col("挑战者评分", "challenger score"),
         _col("冠军额度", "champion limit", "money"), _col("挑战者额度", "challenger limit", "money"),
         _col("冠军利率", "champion APR", "rate"), _col("挑战者利率", "challenger APR", "rate"),
         _col("冠军原因", "champion reasons"), _col("挑战者原因", "challenger reasons"), _col("坏账", "bad")),
        tuple((str(r.row), r.applicant_id or "", ", ".join(r.changes), r.champion_decision, r.challenger_decision,
               f"{r.champion_segment}/{r.champion_band}", f"{r.challenger_segment}/{r.challenger_band}",
               str(r.champion_score), str(r.challenger_score), r.champion_limit, r.challenger_limit, r.champion_apr,
               r.challenger_apr, " ".join(r.champion_reasons) or "-", " ".join(r.challenger_reasons) or "-",
               None if r.bad is None else str(r.bad)) for r in shown),
        extra={"total": c.diff_total, "shown": len(shown)})
    return [summary, swaps, transitions, _money(c), changes, diff]


def _money(c) -> Table:
    """Per segment and band: champion -> challenger approvals and money, with the change."""
    rows = []
    for r in c.money:
        label = f"{r.segment}/{r.band}" if r.segment else Bi("合计", "total")
        rows.append((label, r.approvals[0], r.approvals[1], r.volume[0], r.volume[1], r.change(r.volume),
                     r.bad_rate[0], r.bad_rate[1], r.expected_loss[0], r.expected_loss[1], r.interest_income[0],
                     r.interest_income[1], r.expected_profit[0], r.expected_profit[1], r.change(r.expected_profit)))
    return Table(
        "money", _t("冠军 / 挑战者：金额（按客群与评分档）", "Champion vs challenger in money, per segment and band"),
        (_col("客群/档", "Segment/band"), _col("冠军通过", "Approved (champion)", "count"),
         _col("挑战者通过", "Approved (challenger)", "count"), _col("冠军授信", "Volume (champion)", "money"),
         _col("挑战者授信", "Volume (challenger)", "money"), _col("授信变化", "Volume change", "money"),
         _col("冠军坏账率（模型）", "Bad rate (champion, model PD)", "rate"),
         _col("挑战者坏账率（模型）", "Bad rate (challenger, model PD)", "rate"),
         _col("冠军预期损失", "EL (champion)", "money"), _col("挑战者预期损失", "EL (challenger)", "money"),
         _col("冠军利息收入", "Interest income (champion)", "money"),
         _col("挑战者利息收入", "Interest income (challenger)", "money"),
         _col("冠军预期利润", "Expected profit (champion)", "money"),
         _col("挑战者预期利润", "Expected profit (challenger)", "money"), _col("利润变化", "Profit change", "money")),
        tuple(rows),
        note=_t("一年：利息收入 = 额度 × 利率 × (1 − PD)；预期损失 = PD × LGD × 额度；预期利润 = 收入 − 预期损失 − 额度 × 资金成本（模型PD）。",
                "One year, model PD: interest income = limit x APR x (1 - PD); EL = PD x LGD x limit; expected "
                "profit = income - EL - limit x pricing.funding_cost."))


def checks_table(checks: Sequence, rows: int | None = None) -> Table:
    """The output checks (name, passed, details) as a table."""
    title = _t("输出校验", "Checks of the simulated outputs" + (f" (Great Expectations, {rows:,} rows)" if rows else ""))
    return Table("checks", title, (_col("校验", "Check"), _col("结果", "Result", "verdict"), _col("说明", "Details")),
                 tuple((c.name, c.passed, c.details) for c in checks), tuple(c.passed for c in checks))


# --- a scorecard, cut-offs, drift (validation/model) ---------------------------------------------------------

def model_tables(r) -> list[Table]:
    """A ModelReport (validation.model.model_report) as tables: quality, IV, bins, odds, calibration."""
    split = f"seed {r.seed}, test share {r.test_size:g}" if r.test_size else "the simulated population"
    quality = Table(
        "model_quality", _t("模型区分能力", f"Model quality (AUC, KS, Gini; {split})"),
        (_col("样本", "Split"), _col("人数", "Rows", "count"), _col("坏客户", "Bads", "count"),
         _col("AUC", "AUC", "ratio_plain"), _col("KS", "KS", "ratio_plain"), _col("Gini", "Gini", "ratio_plain")),
        tuple((name, q.rows, q.bads, q.auc, q.ks, q.gini) for name, q in
              ((_t("训练", "train"), r.train), (_t("测试", "test") if r.test_size else _t("全体", "all"), r.test))
              if q is not None and q.rows),
        note=_t("拒绝推断：" + r.reject_inference.get("method", "none"),
                f"reject inference: {r.reject_inference.get('method', 'none')}; "
                f"rows without an outcome: {r.reject_inference.get('rows_without_outcome', 0):,}"))
    iv = Table(
        "model_iv", _t("信息值（IV）", "Information value of each candidate"),
        (_col("特征", "Characteristic", "code"), _col("类型", "Kind"), _col("IV", "IV", "ratio_plain"),
         _col("强度", "Strength"), _col("入模", "Selected", "verdict"), _col("说明", "Why")),
        tuple((c.field, c.kind, c.iv, c.strength, c.selected, c.reason) for c in r.candidates))
    bins = Table(
        "model_bins", _t("分箱、坏账率、WOE与分值", "Bins: counts, bad rate, WOE and points"),
        (_col("特征", "Characteristic", "code"), _col("分箱", "Bin"), _col("人数", "Rows", "count"),
         _col("坏客户", "Bads", "count"), _col("坏账率", "Bad rate", "rate"), _col("WOE", "WOE", "ratio_plain"),
         _col("分值", "Points", "count")),
        tuple((b.field, b.bin, round(b.count), round(b.bads), b.bad_rate, b.woe, b.points) for b in r.bins))
    odds = Table(
        "model_odds", _t("分数段好坏比", "Odds table (test split, best scores first)"),
        (_col("最低分", "From", "count"), _col("最高分", "To", "count"), _col("人数", "Rows", "count"),
         _col("坏客户", "Bads", "count"), _col("坏账率", "Bad rate", "rate"), _col("好坏比", "Odds (good:bad)", "ratio_plain"),
         _col("累计通过率", "Cum. approval", "rate", 1), _col("累计坏账率", "Cum. bad rate", "rate")),
        tuple((o.lower, o.upper, o.count, o.bads, o.bad_rate, o.odds, o.cumulative_approval, o.cumulative_bad_rate)
              for o in r.odds))
    calibration = Table(
        "model_calibration", _t("校准：预测PD与实际坏账率（按评分档）", "Calibration: predicted PD vs observed bad rate per band"),
        (_col("评分档", "Band", "code"), _col("人数", "Rows", "count"), _col("坏客户", "Bads", "count"),
         _col("预测PD（模型）", "Predicted PD (model)", "rate"), _col("实际坏账率", "Observed bad rate", "rate"),
         _col("实际/预测", "Observed / predicted", "ratio_plain")),
        tuple((c.group, c.count, c.bads, c.predicted_pd, c.observed_bad_rate, c.ratio) for c in r.calibration),
        note=_t(f"PD 映射来源：{r.pd_mapping.get('source')}", f"PD mapping from the scorecard's {r.pd_mapping.get('source')}"))
    return [quality, iv, bins, odds, calibration] if r.candidates else [quality, odds, calibration]


def cutoff_tables(c, rows_per_segment: int = 12) -> list[Table]:
    """A CutoffResult (validation.model.cutoffs) as tables: chosen cut-offs, frontier, money before / after."""
    chosen = Table(
        "cutoffs", _t("评分档切分点", f"Band cut-offs meeting: {c.constraints}"),
        (_col("评分档", "Band", "code"), _col("原最低分", "Current min score", "count"),
         _col("新最低分", "New min score", "count")),
        tuple((b, c.old_bands[b], c.new_bands[b]) for b in c.old_bands))
    figures = Table(
        "cutoff_figures", _t("新旧切分点下的指标（完整模拟）", "Figures before and after (full simulation)"),
        (_col("指标", "Figure"), _col("当前", "Current", "formatted"), _col("新", "New", "formatted")),
        tuple((key.replace("_", " "), _Formatted(v["before"], "money" if key == "volume_lent" else "rate"),
               _Formatted(v["after"], "money" if key == "volume_lent" else "rate")) for key, v in c.figures.items()))
    rows = []
    for segment in dict.fromkeys(r.segment for r in c.frontier):
        points, seen = [], set()
        for r in c.frontier:  # one row per distinct approval rate: shifts that change nothing are left out
            if r.segment == segment and r.approval_rate and round(r.approval_rate, 4) not in seen:
                seen.add(round(r.approval_rate, 4))
                points.append(r)
        step = max(1, len(points) // rows_per_segment)
        picked = {r.shift for r in points[::step]} | {c.shifts.get(segment, c.shifts.get("all", 0))}
        rows += [(r.segment, r.shift, r.approval_rate, r.bad_rate_model, r.bad_rate_observed, r.el_rate_model, r.meets)
                 for r in points if r.shift in picked]
    frontier = Table(
        "frontier", _t("通过率—坏账率—预期损失前沿", "Frontier: approval vs bad rate vs expected loss"),
        (_col("客群", "Segment", "code"), _col("切分点平移", "Shift", "count"), _col("通过率", "Approval", "rate", 1),
         _col("坏账率（模型PD）", "Bad rate (model PD)", "rate"), _col("坏账率（实际）", "Bad rate (observed)", "rate"),
         _col("预期损失率（模型PD）", "EL rate (model PD)", "rate", 3), _col("达标", "Meets", "verdict")),
        tuple(rows), note=_t("平移：所有评分档最低分同时移动的分数。", "Shift: points every band minimum moves by."))
    return [chosen, figures, frontier]


def drift_tables(d) -> list[Table]:
    """A DriftReport (validation.model.drift) as tables: the index of each row and its group shares."""
    lights = {"stable": _t("稳定", "stable"), "watch": _t("关注", "watch"), "act": _t("行动", "act")}
    summary = Table(
        "drift", _t("稳定性（PSI / CSI）", f"Stability: PSI of the score, CSI of each characteristic "
                    f"({d.baseline_rows:,} baseline, {d.current_rows:,} current rows)"),
        (_col("对象", "What", "code"), _col("类型", "Kind"), _col("指数", "Index", "ratio_plain"), _col("信号", "Light")),
        tuple((r.name, r.kind, r.index, lights[r.light]) for r in d.rows),
        row_status=tuple(True if r.light == "stable" else False if r.light == "act" else None for r in d.rows),
        note=_t("< 0.1 稳定，0.1–0.25 关注，> 0.25 行动", "< 0.1 stable, 0.1-0.25 watch, > 0.25 act"))
    groups = Table(
        "drift_groups", _t("分组占比", "Shares per group"),
        (_col("对象", "What", "code"), _col("分组", "Group"), _col("基准", "Baseline", "rate", 1),
         _col("当前", "Current", "rate", 1)),
        tuple((r.name, g.group, g.baseline, g.current) for r in d.rows for g in r.groups))
    return [summary, groups]


# --- post-loan ageing ---------------------------------------------------------------------------------------

_BUCKET_LABELS = {"current": Bi("正常", "current"), "written_off": Bi("核销", "written off"),
                  "prepaid": Bi("提前结清", "prepaid"), "paid_off": Bi("正常结清", "paid off")}
_ACTION_LABELS = {"sms": Bi("短信", "SMS"), "call": Bi("电话", "calls"), "field_visit": Bi("上门", "field visits"),
                  "legal": Bi("法律", "legal"), "outsource": Bi("委外", "outsourced"), "write_off": Bi("核销", "write-offs")}


def post_loan_tables(r) -> list[Table]:
    """A post-loan ageing (validation.analysis.post_loan.PostLoanReport) as tables: summary, vintage,
    roll rates, early warnings, collection workload."""
    basis = Bi("样本真实PD（生成器）", "the sample's true PD (generator)") if r.pd_basis == "truth" else Bi(
        "产品模型PD", "the product's model PD")
    summary = Table("post_loan_summary", _t("贷后表现（账龄模拟）", "Post-loan performance (book aged)"),
                    (_col("指标", "Figure"), _col("数值", "Value", "formatted")), (
        (_t("放款笔数", "Loans"), f"{r.loans:,}"), (_t("放款金额", "Amount lent"), money(r.amount)),
        (_t("模拟月数", "Months aged"), str(r.months)), (_t("每笔PD来源", "Each loan's PD from"), str(basis)),
        (_t("平均12个月PD", "Mean 12-month PD"), pct(r.mean_pd_12m, 2)),
        (_t("第12个月M3+不良率（按笔数）", "M3+ rate at month 12 (by count)"), pct(r.m3plus_rate_12, 2)),
        (_t("第24个月M3+不良率（按笔数）", "M3+ rate at month 24 (by count)"), pct(r.m3plus_rate_24, 2)),
        (_t("第12个月M3+余额占比", "M3+ share of balance at month 12 (NPL ratio)"), pct(r.npl_ratio_12, 2)),
        (_t("第24个月M3+余额占比", "M3+ share of balance at month 24 (NPL ratio)"), pct(r.npl_ratio_24, 2)),
        (_t("核销本金", "Principal written off"), money(r.written_off_amount))),
        note=_t("单一批次（同月放款）的账龄表现；期限较短的产品到期结清后，余额口径的不良占比会上升。",
                "One vintage (all loans disbursed in the same month); for short terms the NPL ratio on balance "
                "rises as good loans repay."))
    bands = sorted({b for v in r.vintage for b in v.by_band})
    vintage = Table("post_loan_vintage", _t("账龄曲线（累计M3+）", "Vintage: cumulative M3+ by months on book"),
                    (_col("账龄(月)", "Month on book", "count"), _col("累计M1+", "Ever M1+", "rate"),
                     _col("累计M3+（笔数）", "Ever M3+ (count)", "rate"), _col("累计M3+（金额）", "Ever M3+ (amount)", "rate"),
                     _col("已核销", "Written off", "rate"), _col("在贷笔数", "Active loans", "count"),
                     _col("在贷余额", "Outstanding", "money"), _col("M3+余额占比", "NPL ratio", "rate"))
                    + tuple(_col(f"{b}档累计M3+", f"Ever M3+, band {b}", "rate") for b in bands),
                    tuple((v.month, v.ever_m1_rate, v.ever_m3plus_rate, v.ever_m3plus_amount_rate, v.written_off_rate,
                           v.active, v.outstanding, v.npl_ratio) + tuple(v.by_band.get(b) for b in bands)
                          for v in r.vintage))
    targets = list(r.roll_matrix[0].to) if r.roll_matrix else []
    roll = Table("post_loan_roll", _t("迁徙率矩阵（月末到下月末）", "Roll rates (month end to next month end)"),
                 (_col("从", "From"), _col("笔月数", "Loan-months", "count"))
                 + tuple(Column(_BUCKET_LABELS.get(t, Bi(t, t)), "rate", 1) for t in targets),
                 tuple((_BUCKET_LABELS.get(row.bucket, Bi(row.bucket, row.bucket)), row.loan_months)
                       + tuple(row.rates[t] for t in targets) for row in r.roll_matrix))
    warnings = Table("post_loan_warnings", _t("贷后预警", "Early warnings"),
                     (_col("代码", "Code", "code"), _col("名称", "Name"), _col("级别", "Level"),
                      _col("命中笔数", "Loans hit", "count"), _col("命中率", "Hit rate", "rate"),
                      _col("月命中率", "Monthly hit rate", "rate"), _col("精确率", "Precision", "rate"),
                      _col("覆盖率", "Coverage of M1", "rate"), _col("提前月数(中位)", "Median lead (months)", "score")),
                     tuple((w.code, Bi(w.name_zh, w.name_en), w.level, w.loans_hit, w.hit_rate, w.month_hit_rate,
                            w.precision, w.coverage, w.median_lead_months) for w in r.warnings),
                     note=_t("精确率：正常状态下触发后3个月内逾期的比例；覆盖率：逾期前3个月内已触发的比例；提前月数：首次触发到首次逾期。",
                             "Precision: of the loans it fires on while current, the share behind within 3 months; "
                             "coverage: of the loans that fall behind, the share it fired on in the 3 months before; "
                             "lead: months from its first firing to falling behind."))
    kinds = list(r.collection_totals)
    collections = Table("post_loan_collections", _t("催收工作量（按月）", "Collection workload per month"),
                        (_col("月份", "Month", "count"), _col("逾期在催笔数", "Loans behind", "count"))
                        + tuple(Column(_ACTION_LABELS.get(k, Bi(k, k)), "count") for k in kinds),
                        tuple((c.month, c.in_collections) + tuple(c.actions.get(k, 0) for k in kinds)
                              for c in r.collections),
                        extra={"totals": dict(r.collection_totals)})
    return [summary, vintage, roll, warnings, collections]
