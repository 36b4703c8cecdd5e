"""Champion / challenger: one population through two products, and what changed between the two specs.

Steps: two SimulationResults of the same data --compare_results--> Comparison (swap-in / swap-out sets,
net change in approval and bad rate, decision transitions, the outcome diff table, the structural diff
of the two specs). `compare_products` runs both simulations first. `spec_changes` diffs two specs alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from enum import Enum

from product_specs import CheckedSpec, ProductSpec
from validation.analysis.metrics import _Queries, as_float
from validation.analysis.money import money_rows
from validation.analysis.simulate import Progress, SimulationResult, run_simulation
from validation.data.pii import mask, pii_fields

__all__ = ["compare_products", "compare_results", "spec_changes", "Comparison", "SwapSet", "Transition",
           "SpecChange", "DiffRow", "DEFAULT_MAX_DIFF_ROWS"]

DEFAULT_MAX_DIFF_ROWS = 5000
"""Rows of the outcome diff kept in a Comparison (decision changes first); counts always cover all."""


@dataclass
class SwapSet:
    """Applicants whose automatic approval flips between champion and challenger.

    Swap-in: not approved by the champion (declined or referred), approved by the challenger. Swap-out:
    approved by the champion, not by the challenger. `referred` counts those whose other side is a
    referral (manual review), so `count - referred` is the strict decline <-> approve set.
    """

    name: str  # swap_in or swap_out
    count: int
    referred: int
    share: float | None  # of all applicants
    bad_rate: float | None
    volume: float  # limits involved: challenger's for swap-in, champion's for swap-out


@dataclass
class Transition:
    """Applicants decided `champion` by the champion and `challenger` by the challenger."""

    champion: str
    challenger: str
    count: int
    bad_rate: float | None


@dataclass
class SpecChange:
    """One difference between the champion's spec and the challenger's."""

    category: str  # rules, cut-offs, matrix, pricing, limits, segments, scorecard, channels, ...
    path: str  # e.g. decision.bands[b].min_score
    kind: str  # added, removed, changed
    before: object = None
    after: object = None


@dataclass
class DiffRow:
    """An applicant whose decision, limit or APR changes (personal data masked)."""

    row: int
    applicant_id: str | None
    changes: list[str]
    champion_decision: str
    challenger_decision: str
    champion_segment: str
    challenger_segment: str
    champion_band: str
    challenger_band: str
    champion_score: int
    challenger_score: int
    champion_limit: float | None
    challenger_limit: float | None
    champion_apr: float | None
    challenger_apr: float | None
    champion_reasons: list[str]
    challenger_reasons: list[str]
    bad: int | None


@dataclass
class Comparison:
    """Champion versus challenger on one population."""

    champion: dict
    challenger: dict
    applicants: int
    champion_approval_rate: float | None
    challenger_approval_rate: float | None
    approval_rate_change: float | None
    champion_bad_rate_approved: float | None
    challenger_bad_rate_approved: float | None
    bad_rate_approved_change: float | None
    swap_in: SwapSet
    swap_out: SwapSet
    transitions: list[Transition]
    changed_decision: int
    changed_limit: int
    changed_apr: int
    diff_total: int
    diff_rows: list[DiffRow]
    spec_changes: list[SpecChange]
    notes: list[str] = field(default_factory=list)
    money: list = field(default_factory=list)  # validation.analysis.money.MoneyRow per segment and band, then total

    @property
    def diff_truncated(self) -> bool:
        return self.diff_total > len(self.diff_rows)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["diff_truncated"] = self.diff_truncated
        return out


_SUMMARY = """
SELECT count(*) AS n,
       avg(CASE WHEN a.decision = 'approve' THEN 1 ELSE 0 END) AS champion_approval,
       avg(CASE WHEN b.decision = 'approve' THEN 1 ELSE 0 END) AS challenger_approval,
       avg(a.bad) FILTER (WHERE a.decision = 'approve') AS champion_bad,
       avg(b.bad) FILTER (WHERE b.decision = 'approve') AS challenger_bad,
       count(*) FILTER (WHERE a.decision <> 'approve' AND b.decision = 'approve') AS swap_in,
       count(*) FILTER (WHERE a.decision = 'refer' AND b.decision = 'approve') AS swap_in_referred,
       avg(a.bad) FILTER (WHERE a.decision <> 'approve' AND b.decision = 'approve') AS swap_in_bad,
       coalesce(sum(b."limit") FILTER (WHERE a.decision <> 'approve' AND b.decision = 'approve'), 0)
           AS swap_in_volume,
       count(*) FILTER (WHERE a.decision = 'approve' AND b.decision <> 'approve') AS swap_out,
       count(*) FILTER (WHERE a.decision = 'approve' AND b.decision = 'refer') AS swap_out_referred,
       avg(a.bad) FILTER (WHERE a.decision = 'approve' AND b.decision <> 'approve') AS swap_out_bad,
       coalesce(sum(a."limit") FILTER (WHERE a.decision = 'approve' AND b.decision <> 'approve'), 0)
           AS swap_out_volume,
       count(*) FILTER (WHERE a.decision IS DISTINCT FROM b.decision) AS changed_decision,
       count(*) FILTER (WHERE a."limit" IS DISTINCT FROM b."limit") AS changed_limit,
       count(*) FILTER (WHERE a.apr IS DISTINCT FROM b.apr) AS changed_apr,
       count(*) FILTER (WHERE a.decision IS DISTINCT FROM b.decision OR a."limit" IS DISTINCT FROM b."limit"
                           OR a.apr IS DISTINCT FROM b.apr) AS diff_total
FROM champion AS a JOIN challenger AS b USING (sim_row)
"""

_TRANSITIONS = """
SELECT a.decision AS champion, b.decision AS challenger, count(*) AS count, avg(a.bad) AS bad_rate
FROM champion AS a JOIN challenger AS b USING (sim_row)
GROUP BY ALL
"""

_DIFF = """
SELECT sim_row AS row, a.applicant_id,
       a.decision AS champion_decision, b.decision AS challenger_decision,
       a.segment AS champion_segment, b.segment AS challenger_segment,
       a.band AS champion_band, b.band AS challenger_band,
       a.score AS champion_score, b.score AS challenger_score,
       a."limit" AS champion_limit, b."limit" AS challenger_limit,
       a.apr AS champion_apr, b.apr AS challenger_apr,
       a.reasons AS champion_reasons, b.reasons AS challenger_reasons,
       a.bad AS bad,
       a.decision IS DISTINCT FROM b.decision AS decision_changed,
       a."limit" IS DISTINCT FROM b."limit" AS limit_changed,
       a.apr IS DISTINCT FROM b.apr AS apr_changed
FROM champion AS a JOIN challenger AS b USING (sim_row)
WHERE a.decision IS DISTINCT FROM b.decision OR a."limit" IS DISTINCT FROM b."limit" OR a.apr IS DISTINCT FROM b.apr
ORDER BY decision_changed DESC, sim_row
LIMIT $max_rows
"""

_DECISIONS = ("approve", "refer", "decline")


def _change(a, b) -> float | None:
    return None if a is None or b is None else float(b) - float(a)


def _identity(checked: CheckedSpec) -> dict:
    p = checked.spec.product
    return {"product_id": p.id, "version": p.version, "name_zh": p.name.zh, "name_en": p.name.en,
            "spec_hash": checked.spec_hash}


def compare_products(champion: CheckedSpec, challenger: CheckedSpec, data, progress: Progress | None = None,
                     max_diff_rows: int = DEFAULT_MAX_DIFF_ROWS) -> tuple[SimulationResult, SimulationResult,
                                                                           Comparison]:
    """Simulate both products on `data` and compare them: (champion result, challenger result, comparison)."""
    def stage(prefix):
        return None if progress is None else (lambda s, d, t: progress(f"{prefix} {s}", d, t))

    a = run_simulation(champion, data, stage("champion"))
    b = run_simulation(challenger, data, stage("challenger"))
    return a, b, compare_results(a, b, max_diff_rows)


def compare_results(champion: SimulationResult, challenger: SimulationResult,
                    max_diff_rows: int = DEFAULT_MAX_DIFF_ROWS) -> Comparison:
    """Compare two simulations of the same population (rows matched by their position in the data)."""
    if champion.rows != challenger.rows:
        raise ValueError(f"the champion decided {champion.rows} applicants and the challenger "
                         f"{challenger.rows}: compare them on the same data")
    q = _Queries(champion, champion=champion, challenger=challenger)
    try:
        s = q.one(_SUMMARY)
        transitions = _transitions(q.rows(_TRANSITIONS))
        diff = q.rows(_DIFF, {"max_rows": max(int(max_diff_rows), 0)})
        money = money_rows(q, _funding(champion.checked), _funding(challenger.checked))
    finally:
        q.close()
    n = s["n"]
    masked = "applicant_id" in pii_fields(champion.checked.spec) | pii_fields(challenger.checked.spec)
    notes = []
    if not champion.outcome_columns:
        notes.append("the data has no outcome columns: bad rates are not computed")
    if champion.checked.spec.pricing.funding_cost is None or challenger.checked.spec.pricing.funding_cost is None:
        notes.append("expected profit deducts no funding cost for a product whose pricing declares none "
                     "(pricing.funding_cost)")
    return Comparison(
        champion=_identity(champion.checked), challenger=_identity(challenger.checked), applicants=n,
        champion_approval_rate=as_float(s["champion_approval"]), challenger_approval_rate=as_float(s["challenger_approval"]),
        approval_rate_change=_change(s["champion_approval"], s["challenger_approval"]),
        champion_bad_rate_approved=as_float(s["champion_bad"]), challenger_bad_rate_approved=as_float(s["challenger_bad"]),
        bad_rate_approved_change=_change(s["champion_bad"], s["challenger_bad"]),
        swap_in=_swap(s, "swap_in", n), swap_out=_swap(s, "swap_out", n),
        transitions=transitions, changed_decision=s["changed_decision"], changed_limit=s["changed_limit"],
        changed_apr=s["changed_apr"], diff_total=s["diff_total"], diff_rows=[_diff_row(r, masked) for r in diff],
        spec_changes=spec_changes(champion.checked.spec, challenger.checked.spec), notes=notes, money=money)


def _funding(checked: CheckedSpec) -> float:
    cost = checked.spec.pricing.funding_cost
    return 0.0 if cost is None else float(cost)


def _swap(s: dict, name: str, n: int) -> SwapSet:
    return SwapSet(name, s[name], s[f"{name}_referred"], s[name] / n if n else None, as_float(s[f"{name}_bad"]),
                   float(s[f"{name}_volume"]))


def _transitions(rows: list[dict]) -> list[Transition]:
    found = {(r["champion"], r["challenger"]): r for r in rows}
    return [Transition(a, b, found.get((a, b), {}).get("count", 0), as_float(found.get((a, b), {}).get("bad_rate")))
            for a in _DECISIONS for b in _DECISIONS]


def _diff_row(r: dict, masked: bool) -> DiffRow:
    changes = [name for name in ("decision", "limit", "apr") if r[f"{name}_changed"]]
    applicant = r["applicant_id"]
    return DiffRow(
        row=r["row"], applicant_id=mask(applicant) if masked else applicant, changes=changes,
        champion_decision=r["champion_decision"], challenger_decision=r["challenger_decision"],
        champion_segment=r["champion_segment"], challenger_segment=r["challenger_segment"],
        champion_band=r["champion_band"], challenger_band=r["challenger_band"],
        champion_score=r["champion_score"], challenger_score=r["challenger_score"],
        champion_limit=as_float(r["champion_limit"]), challenger_limit=as_float(r["challenger_limit"]),
        champion_apr=as_float(r["champion_apr"]), challenger_apr=as_float(r["challenger_apr"]),
        champion_reasons=list(r["champion_reasons"] or []), challenger_reasons=list(r["challenger_reasons"] or []),
        bad=r["bad"])


# --- structural diff ---------------------------------------------------------------------------------

_LIST_KEYS = ("code", "id", "field", "name")
_SKIPPED_SECTIONS = ("tests",)  # example tests are not strategy


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _category(path: str) -> str:
    if path.startswith(("admission", "decision.review_triggers")) or (
            path.startswith("channels") and ".rules" in path):
        return "rules"
    if path.startswith(("decision.bands", "scorecard.second.grades")):
        return "cut-offs"
    if path.startswith(("decision.matrix", "scorecard.second.matrix")):
        return "matrix"
    return path.split(".", 1)[0].split("[", 1)[0]


def _keyed(items: list) -> dict | None:
    """A list of records as {key: record} by its identifying attribute, or None if it has none."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in _LIST_KEYS:
        values = [i.get(key) for i in items]
        if all(isinstance(v, str) for v in values) and len(set(values)) == len(values):
            return {v: i for v, i in zip(values, items, strict=True)}
    return None


def _walk(path: str, before, after, out: list[SpecChange]) -> None:
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in list(before) + [k for k in after if k not in before]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in after:
                out.append(SpecChange(_category(sub), sub, "removed", before[key], None))
            elif key not in before:
                out.append(SpecChange(_category(sub), sub, "added", None, after[key]))
            else:
                _walk(sub, before[key], after[key], out)
        return
    if isinstance(before, list) and isinstance(after, list):
        a, b = _keyed(before), _keyed(after)
        if a is not None and b is not None:
            for key in list(a) + [k for k in b if k not in a]:
                sub = f"{path}[{key}]"
                if key not in b:
                    out.append(SpecChange(_category(sub), sub, "removed", a[key], None))
                elif key not in a:
                    out.append(SpecChange(_category(sub), sub, "added", None, b[key]))
                else:
                    _walk(sub, a[key], b[key], out)
            if [k for k in a if k in b] != [k for k in b if k in a]:
                out.append(SpecChange(_category(path), path, "reordered", list(a), list(b)))
            return
        if len(before) == len(after) and all(isinstance(i, dict) for i in before + after):
            for i, (x, y) in enumerate(zip(before, after, strict=True)):
                _walk(f"{path}[{i}]", x, y, out)
            return
    out.append(SpecChange(_category(path), path, "changed", before, after))


def spec_changes(champion: ProductSpec, challenger: ProductSpec) -> list[SpecChange]:
    """What changed from the champion's spec to the challenger's: rules, cut-offs, matrix cells, pricing,
    limits and everything else, one entry per changed value (added and removed items whole)."""
    out: list[SpecChange] = []
    skipped = set(_SKIPPED_SECTIONS)
    _walk("", _plain(champion.model_dump(exclude=skipped)), _plain(challenger.model_dump(exclude=skipped)), out)
    return out
