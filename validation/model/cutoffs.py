"""Cut-offs against a risk appetite: the approval vs bad-rate vs expected-loss frontier, the band cut-offs
meeting the appetite written back into the spec, and the swap set against the current cut-offs.

Steps: the product decides the data once (simulate) --> per applicant: segment, score, model PD, LGD,
exposure (requested amount), and whether a rule outside the score declines or refers them --> for every
shift of the band minimums (all bands moved together, so the product's structure and the differences
between its segments are kept) the approval rate, the bad rate among approved (model PD; observed beside
it where outcomes exist) and the EL rate among approved (model PD x LGD x EAD / EAD) --> the most approving
shift that meets the constraints --> the new bands --> the new product decides the data again, so the
figures reported for it (and its swap-in / swap-out sets) are exact, the limit step included.

With `by_segment`, each segment's own frontier picks its own shift against the constraints within the
segment; the shift goes to the segment's approval boundary (the worst band it approves); segments sharing
a boundary take the strictest shift, other bands move with the boundary below them, and bands stay in
order (a band pushed up to keep the order is noted).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from product_specs import CheckedSpec, ProductSpec

__all__ = ["Constraints", "FrontierRow", "CutoffResult", "set_cutoffs", "constraints_from_appetite",
           "simulation_table"]

ALL = "all"


@dataclass(frozen=True)
class Constraints:
    """What the chosen cut-offs must meet (model figures among approved); empty: not constrained."""

    max_bad_rate: float | None = None
    max_el_rate: float | None = None
    target_approval: float | None = None  # the most approving cut-off whose approval rate is at most this
    min_approval: float | None = None  # reported when not met, never traded for the risk targets

    def describe(self) -> str:
        parts = [f"bad rate (model) <= {self.max_bad_rate:.2%}" if self.max_bad_rate is not None else "",
                 f"EL rate (model) <= {self.max_el_rate:.3%}" if self.max_el_rate is not None else "",
                 f"approval <= {self.target_approval:.1%}" if self.target_approval is not None else ""]
        return ", ".join(p for p in parts if p) or "none"


def constraints_from_appetite(checked: CheckedSpec) -> Constraints:
    a = checked.spec.risk_appetite

    def f(v):
        return None if v is None else float(v)

    return Constraints(f(a.max_bad_rate_approved), f(a.max_expected_loss_rate), f(a.max_approval_rate),
                       f(a.min_approval_rate))


@dataclass
class FrontierRow:
    """One point of a frontier: the band minimums shifted by `shift` points."""

    segment: str
    shift: int
    applicants: int
    approval_rate: float | None
    bad_rate_model: float | None
    bad_rate_observed: float | None
    el_rate_model: float | None
    meets: bool


@dataclass
class CutoffResult:
    """The frontier, the chosen cut-offs, the new spec and the exact figures of old and new bands."""

    product_id: str
    constraints: str
    by_segment: bool
    shifts: dict[str, int]
    met: dict[str, bool]
    old_bands: dict[str, int | None]
    new_bands: dict[str, int | None]
    frontier: list[FrontierRow]
    spec: ProductSpec
    comparison: object = None
    figures: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items() if k not in ("spec", "comparison")}
        out["comparison"] = self.comparison.to_dict() if self.comparison is not None else None
        return out


def simulation_table(checked: CheckedSpec, data, target: str = "bad_flag"):
    """Prepared data of `data` for `checked`, with `target` read as the outcome `bad_flag`."""
    import pyarrow as pa

    from validation.analysis.simulate import prepare, read_applicants
    from validation.model.features import ModelDataError

    if target == "bad_flag":
        return prepare(checked, data)
    table = data if isinstance(data, pa.Table) else read_applicants(data)
    if target not in table.column_names:
        raise ModelDataError(f"the data has no column {target!r}")
    if "bad_flag" in table.column_names:
        table = table.drop_columns(["bad_flag"])
    names = ["bad_flag" if c == target else c for c in table.column_names]
    return prepare(checked, table.rename_columns(names))


def set_cutoffs(checked: CheckedSpec, data, constraints: Constraints | None = None, by_segment: bool = False,
                target: str = "bad_flag") -> CutoffResult:
    """The frontier and the band cut-offs of `checked` meeting `constraints` (default: its risk appetite)."""
    from validation.analysis.compare import compare_results
    from validation.analysis.metrics import compute_metrics
    from validation.analysis.simulate import execute

    if constraints is None:  # the appetite's approval cap is a portfolio target, not one per segment
        constraints = constraints_from_appetite(checked)
        if by_segment:
            constraints = Constraints(constraints.max_bad_rate, constraints.max_el_rate, None, constraints.min_approval)
    prepared = simulation_table(checked, data, target)
    old = execute(checked, prepared)
    arrays = _arrays(checked, old)
    bands = checked.spec.decision.bands
    mins = np.array([b.min_score for b in bands[:-1]], dtype=float)
    scores = arrays["score"]
    span = int(max(scores.max() - scores.min(), 1)) if len(scores) else 1
    step = max(1, span // 200)
    shifts = list(range(-span - 1, span + 2, step))
    if 0 not in shifts:
        shifts = sorted([*shifts, 0])
    segments = [s.id for s in checked.spec.segments]
    groups = [ALL] + segments
    frontier = []
    approve_at = {}
    for shift in shifts:
        approve = _approved(checked, arrays, mins + shift)
        approve_at[shift] = approve
        for g in groups:
            mask = np.ones(len(scores), bool) if g == ALL else arrays["segment"] == g
            frontier.append(_figures(g, shift, approve & mask, mask, arrays, constraints))
    notes = []
    if by_segment:
        chosen = {g: _choose([r for r in frontier if r.segment == g], constraints) for g in segments}
        new_mins, moved = _segment_bands(checked, mins, chosen)
        notes += moved
    else:
        chosen = {ALL: _choose([r for r in frontier if r.segment == ALL], constraints)}
        new_mins = mins + chosen[ALL]
    met = {g: next(r.meets for r in frontier if r.segment == g and r.shift == chosen[g]) for g in chosen}
    notes += [f"{g}: no cut-off meets {constraints.describe()}; the strictest was taken" for g, ok in met.items()
              if not ok]
    data_spec = checked.spec.model_dump(mode="python", exclude_none=True)
    for band, value in zip(data_spec["decision"]["bands"][:-1], new_mins, strict=True):
        band["min_score"] = int(value)
    major, minor, patch = (int(p) for p in data_spec["product"]["version"].split("."))
    data_spec["product"]["version"] = f"{major}.{minor}.{patch + 1}"
    from product_specs import check_spec
    from validation.model.scorecard import rederive_examples

    spec, changed = rederive_examples(ProductSpec.model_validate(data_spec))
    notes += [f"example re-derived: {line}" for line in changed]

    new_checked = check_spec(spec).checked
    comparison, figures = None, {}
    if new_checked is not None:
        new = execute(new_checked, prepared)
        comparison = compare_results(old, new)
        before, after = compute_metrics(old), compute_metrics(new)
        for key in ("approval_rate", "pd_approved", "bad_rate_approved", "expected_loss_rate_approved",
                    "volume_lent"):
            figures[key] = {"before": before.value(key), "after": after.value(key)}
        if constraints.min_approval is not None and (after.value("approval_rate") or 0) < constraints.min_approval:
            notes.append(f"the approval rate {after.value('approval_rate'):.1%} is below the appetite's minimum "
                         f"{constraints.min_approval:.1%}: the risk targets cost more approvals than the appetite allows")
    return CutoffResult(checked.product_id, constraints.describe(), by_segment, chosen, met,
                        {b.id: b.min_score for b in bands}, {b.id: b.min_score for b in spec.decision.bands},
                        frontier, spec, comparison, figures, notes)


def _arrays(checked: CheckedSpec, result) -> dict:
    from validation.model.model_report import labels, numbers

    table = result.table
    reasons = {r.code: r for r in checked.reasons()}
    codes = table["reasons"].to_pylist()
    knocked = np.array([any(reasons.get(c) is not None and reasons[c].action == "decline"
                            and reasons[c].source in ("admission", "channel", "system") for c in row) for row in codes])
    referred = np.array([any(reasons.get(c) is not None and reasons[c].action == "refer"
                             and reasons[c].source in ("admission", "channel", "trigger") for c in row) for row in codes])
    requested = checked.spec.limits.requested_field
    n = table.num_rows
    ead = (np.nan_to_num(table[requested].to_numpy(zero_copy_only=False).astype(float)) if requested
           and requested in table.column_names else np.ones(n))
    names = table.column_names
    bad = numbers(table["bad_flag"]) if "bad_flag" in names else np.full(n, np.nan)
    lgd = numbers(table["loss_given_default"]) if "loss_given_default" in names else np.full(n, np.nan)
    from validation.analysis.metrics import DEFAULT_LGD

    fill = np.nanmean(lgd[bad == 1]) if np.any((bad == 1) & ~np.isnan(lgd)) else (
        np.nanmean(lgd) if np.any(~np.isnan(lgd)) else DEFAULT_LGD)
    second = {}
    card = checked.spec.scorecard.second
    if card is not None and "second_grade" in names:  # each applicant's grade, as an index into the grades
        grades = np.array([g.id for g in card.grades] + [None], dtype=object)
        found = labels(table["second_grade"])
        index = np.full(n, len(card.grades), dtype=np.int64)
        for i, grade in enumerate(grades[:-1]):
            index[found == grade] = i
        second = {"grade_index": index}
    return {**second, "score": table["score"].to_numpy().astype(float), "segment": np.array(table["segment"].to_pylist()),
            "pd": table["pd"].to_numpy().astype(float), "ead": ead, "bad": bad,
            "lgd": np.where(np.isnan(lgd), fill, lgd), "knocked": knocked, "referred": referred}


def _approved(checked: CheckedSpec, a: dict, mins: np.ndarray) -> np.ndarray:
    """Who is approved with band minimums `mins` (best band first), the rest of the decision unchanged."""
    spec = checked.spec
    bands = [b.id for b in spec.decision.bands]
    ascending = mins[::-1]
    band_index = len(mins) - np.searchsorted(ascending, a["score"], side="right")
    second = spec.scorecard.second
    if second is not None and "grade_index" in a:
        # two scorecards: the minimums move the band of the first score; the matrix with the second's grade
        # (unchanged) gives the final band: one table lookup per applicant
        table = np.array([[bands.index(second.matrix[b][g.id]) for g in second.grades] + [bands.index(b)]
                          for b in bands], dtype=np.int64)
        band_index = table[band_index, a["grade_index"]]
    approve = np.zeros(len(a["score"]), bool)
    for seg, row in spec.decision.matrix.items():
        ok = np.array([row[b].value == "approve" for b in bands])
        mask = a["segment"] == seg
        approve[mask] = ok[band_index[mask]]
    return approve & ~a["knocked"] & ~a["referred"]


def _figures(group: str, shift: int, approve: np.ndarray, mask: np.ndarray, a: dict, c: Constraints) -> FrontierRow:
    n = int(mask.sum())
    k = int(approve.sum())
    rate = k / n if n else None
    pd_mean = float(a["pd"][approve].mean()) if k else None
    known = approve & ~np.isnan(a["bad"])
    observed = float(a["bad"][known].mean()) if known.any() else None
    ead = a["ead"][approve]
    el = float((a["pd"][approve] * a["lgd"][approve] * ead).sum() / ead.sum()) if k and ead.sum() > 0 else None
    meets = (k > 0 and (c.max_bad_rate is None or (pd_mean is not None and pd_mean <= c.max_bad_rate))
             and (c.max_el_rate is None or (el is not None and el <= c.max_el_rate))
             and (c.target_approval is None or (rate is not None and rate <= c.target_approval)))
    return FrontierRow(group, shift, n, rate, pd_mean, observed, el, bool(meets))


def _choose(rows: list[FrontierRow], c: Constraints) -> int:
    """The most approving shift that meets the constraints (the lowest cut-offs), else the strictest."""
    meeting = [r for r in rows if r.meets]
    if meeting:
        best = max(r.approval_rate or 0 for r in meeting)
        return min(r.shift for r in meeting if (r.approval_rate or 0) == best)
    return max(r.shift for r in rows)


def _segment_bands(checked: CheckedSpec, mins: np.ndarray, chosen: dict[str, int]) -> tuple[np.ndarray, list[str]]:
    spec = checked.spec
    bands = [b.id for b in spec.decision.bands]
    boundary: dict[int, int] = {}
    notes = []
    for seg, row in spec.decision.matrix.items():
        approving = [i for i, b in enumerate(bands) if row[b].value == "approve"]
        if not approving or approving[-1] >= len(mins):
            notes.append(f"{seg}: approves every band or none; its cut-off has no band to move")
            continue
        i = approving[-1]
        if i in boundary and boundary[i] != chosen[seg]:
            notes.append(f"{seg}: shares band {bands[i]} with another segment; the stricter cut-off is kept")
        boundary[i] = max(boundary.get(i, chosen[seg]), chosen[seg])
    shift = np.zeros(len(mins))
    for i in range(len(mins)):
        below = [j for j in boundary if j >= i]
        above = [j for j in boundary if j < i]
        shift[i] = boundary[min(below)] if below else (boundary[max(above)] if above else 0)
    new = mins + shift
    for i in range(len(new) - 2, -1, -1):
        if new[i] <= new[i + 1]:
            notes.append(f"band {bands[i]} raised to {int(new[i + 1] + 1)} to stay above band {bands[i + 1]}")
            new[i] = new[i + 1] + 1
    return new, notes
