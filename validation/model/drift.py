"""Population stability: PSI of the score and CSI of every characteristic between a baseline population
(the development sample) and a current one, with traffic lights.

PSI = sum over groups of (current share - baseline share) x ln(current share / baseline share), shares
floored at 0.0001 so an empty group counts without dividing by zero. Score groups are the baseline's
score deciles; a characteristic's groups are its scorecard bins, plus missing values (CSI is the same
sum over them). Lights: below 0.1 stable, 0.1 to 0.25 watch, above 0.25 act.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from product_specs import CheckedSpec

__all__ = ["DriftReport", "DriftRow", "GroupShare", "population_drift", "psi", "light", "STABLE", "ACT"]

STABLE = 0.1
ACT = 0.25
_FLOOR = 1e-4


def light(value: float) -> str:
    """stable (< 0.1), watch (0.1-0.25) or act (> 0.25)."""
    return "stable" if value < STABLE else "watch" if value <= ACT else "act"


def psi(baseline: np.ndarray, current: np.ndarray) -> float:
    """PSI of two vectors of group counts (same groups, same order)."""
    b = np.maximum(np.asarray(baseline, dtype=float) / max(float(np.sum(baseline)), 1.0), _FLOOR)
    c = np.maximum(np.asarray(current, dtype=float) / max(float(np.sum(current)), 1.0), _FLOOR)
    return float(np.sum((c - b) * np.log(c / b)))


@dataclass
class GroupShare:
    group: str
    baseline: float
    current: float


@dataclass
class DriftRow:
    """PSI (score) or CSI (a characteristic) with its light and group shares."""

    name: str
    kind: str  # score or characteristic
    index: float
    light: str
    groups: list[GroupShare]


@dataclass
class DriftReport:
    product_id: str
    baseline_rows: int
    current_rows: int
    score: DriftRow
    characteristics: list[DriftRow]
    notes: list[str] = field(default_factory=list)
    second_score: DriftRow | None = None  # a product with a second scorecard: its score's PSI

    @property
    def rows(self) -> list[DriftRow]:
        return [self.score, *([self.second_score] if self.second_score is not None else []), *self.characteristics]

    def to_dict(self) -> dict:
        return asdict(self)


def _row(name: str, kind: str, labels: list[str], base_groups: np.ndarray, cur_groups: np.ndarray) -> DriftRow:
    k = len(labels)
    base = np.bincount(base_groups, minlength=k)[:k]
    cur = np.bincount(cur_groups, minlength=k)[:k]
    value = psi(base, cur)
    nb, nc = max(base.sum(), 1), max(cur.sum(), 1)
    return DriftRow(name, kind, value, light(value),
                    [GroupShare(lbl, float(b / nb), float(c / nc)) for lbl, b, c in zip(labels, base, cur, strict=True)])


def _bin_index(ch, frame: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """Bin number of each row under characteristic `ch` (the last group is missing values)."""
    labels = []
    column = frame[ch.field]
    if ch.bins[0].values is not None:
        table = {v: i for i, b in enumerate(ch.bins) for v in b.values}
        labels = [", ".join(b.values) for b in ch.bins]
        values = column.astype("object")
        index = np.array([len(ch.bins) if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
                          else table.get(str(v), len(ch.bins)) for v in values])
    else:
        x = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        uppers = np.array([float(b.upper) for b in ch.bins[:-1]], dtype=float)
        labels = [f"[{'' if b.lower is None else b.lower}, {'' if b.upper is None else b.upper})" for b in ch.bins]
        index = np.full(len(x), len(ch.bins))
        present = ~np.isnan(x)
        index[present] = np.searchsorted(uppers, x[present], side="right")
    return labels + ["missing"], index


def _score_row(name: str, base_scores: np.ndarray, cur_scores: np.ndarray) -> DriftRow:
    """PSI of a score over the deciles of its baseline."""
    edges = np.unique(np.quantile(base_scores, np.linspace(0, 1, 11)[1:-1]))
    bounds = [-math.inf, *edges, math.inf]
    labels = [f"{'' if math.isinf(lo) else int(lo)}..{'' if math.isinf(hi) else int(hi) - 1}"
              for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]
    return _row(name, "score", labels, np.searchsorted(edges, base_scores, side="right"),
                np.searchsorted(edges, cur_scores, side="right"))


def population_drift(checked: CheckedSpec, baseline, current) -> DriftReport:
    """PSI of the score (and of the second scorecard's) and CSI of every characteristic of `checked` from
    `baseline` to `current` data."""
    from validation.model.features import ModelDataError, feature_frame
    from validation.model.scorecard import score_frame

    base, cur = feature_frame(checked, baseline), feature_frame(checked, current)
    if not len(base) or not len(cur):
        raise ModelDataError("both the baseline and the current data need applicants")
    card = checked.spec.scorecard
    score = _score_row("score", score_frame(card, base), score_frame(card, cur))
    rows = []
    second_score = None if card.second is None else _score_row(
        "second_score", score_frame(card.second, base), score_frame(card.second, cur))
    for _, _, ch in card.all_characteristics():
        names, b_index = _bin_index(ch, base)
        _, c_index = _bin_index(ch, cur)
        rows.append(_row(ch.field, "characteristic", names, b_index, c_index))
    notes = [f"{r.name}: {r.light} (CSI {r.index:.3f})" for r in rows if r.light != "stable"]
    return DriftReport(checked.product_id, len(base), len(cur), score, rows, notes, second_score)
