"""The score-to-PD mapping: fitted on outcomes, written into a spec, and judged per band.

PD = 1 / (1 + exp(-(intercept + slope x score))), a logistic regression of the outcome on the score
(scikit-learn, practically unpenalised); with a second scorecard, on both scores together (a slope each). The declared scaling is written from the same fit: PDO =
-ln 2 / slope and the odds at the base score = exp(-(intercept + slope x base_score)), so the two never
disagree. `recalibrate` refits the mapping of a product on newer outcomes without touching its points.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from decimal import Decimal

import numpy as np

from product_specs import CheckedSpec, ProductSpec

__all__ = ["fit_calibration", "fit_calibration2", "fit_for", "scores_of", "pd_of", "final_bands",
           "with_calibration", "recalibrate", "CalibrationRow", "calibration_table", "Recalibration"]


def fit_calibration(scores: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> tuple[float, float]:
    """(intercept, slope) of the log-odds of going bad on the score. Raises ValueError when the outcomes
    do not fall with the score (a slope that is not negative)."""
    from sklearn.linear_model import LogisticRegression

    s = np.asarray(scores, dtype=float)
    centre = float(np.mean(s)) if len(s) else 0.0
    model = LogisticRegression(C=1e6, max_iter=1000)
    model.fit((s - centre).reshape(-1, 1), np.asarray(y, dtype=float), sample_weight=w)
    slope = float(model.coef_[0][0])
    if not slope < 0:
        raise ValueError("the bad rate does not fall as the score rises: the scorecard does not rank this data")
    return float(model.intercept_[0]) - slope * centre, slope


def fit_calibration2(scores: np.ndarray, second: np.ndarray, y: np.ndarray,
                     w: np.ndarray | None = None) -> tuple[float, float, float]:
    """(intercept, slope, second slope) of the log-odds of going bad on two scores fitted together (a product
    with a second scorecard). Raises ValueError when either slope is not negative."""
    from sklearn.linear_model import LogisticRegression

    x = np.column_stack([np.asarray(scores, dtype=float), np.asarray(second, dtype=float)])
    centre = x.mean(axis=0) if len(x) else np.zeros(2)
    model = LogisticRegression(C=1e6, max_iter=1000)
    model.fit(x - centre, np.asarray(y, dtype=float), sample_weight=w)
    slope, second_slope = (float(v) for v in model.coef_[0])
    if not slope < 0:
        raise ValueError("the bad rate does not fall as the first score rises (the second held): the first "
                         "scorecard does not rank this data")
    if not second_slope < 0:
        raise ValueError("the bad rate does not fall as the second score rises (the first held): the second "
                         "scorecard adds nothing on this data")
    return float(model.intercept_[0]) - slope * float(centre[0]) - second_slope * float(centre[1]), slope, second_slope


def scores_of(spec: ProductSpec, frame) -> tuple[np.ndarray, np.ndarray | None]:
    """The first score of every row of a feature frame, and the second scorecard's (None without one)."""
    from validation.model.scorecard import score_frame

    card = spec.scorecard
    return score_frame(card, frame), (score_frame(card.second, frame) if card.second is not None else None)


def fit_for(spec: ProductSpec, scores: np.ndarray, second: np.ndarray | None, y: np.ndarray,
            w: np.ndarray | None = None) -> tuple[float, float, float | None]:
    """(intercept, slope, second slope or None): the mapping `spec` calls for, fitted on outcomes."""
    if spec.scorecard.second is None:
        return (*fit_calibration(scores, y, w), None)
    return fit_calibration2(scores, second, y, w)


def _digits(value: float, significant: int = 10) -> Decimal:
    return Decimal(f"{value:.{significant}g}")


def with_calibration(spec: ProductSpec, intercept: float, slope: float, base_score: int | None = None,
                     fitted_on: str = "", second_slope: float | None = None) -> ProductSpec:
    """`spec` with the calibration set and the declared scaling written from it (base score kept). With a
    second slope (two scorecards fitted together) the first's slope is partial, so the scaling is kept."""
    data = spec.model_dump(mode="python", exclude_none=True)
    card = data["scorecard"]
    base = card.get("scaling", {}).get("base_score", 600) if base_score is None else base_score
    if second_slope is None:
        odds = math.exp(-(intercept + slope * base))
        card["scaling"] = {"base_score": base, "base_odds": _digits(odds, 4),
                           "pdo": _digits(-math.log(2) / slope, 4)}
    card["calibration"] = {"intercept": _digits(intercept), "slope": _digits(slope),
                           "fitted_on": fitted_on[:500] or None,
                           "points_hash": spec.scorecard.points_hash()}
    if second_slope is not None:
        card["calibration"]["second_slope"] = _digits(second_slope)
    if card["calibration"]["fitted_on"] is None:
        del card["calibration"]["fitted_on"]
    return ProductSpec.model_validate(data)


@dataclass
class CalibrationRow:
    """Predicted against observed PD in one group (a band or a score range)."""

    group: str
    count: int
    bads: int
    predicted_pd: float | None
    observed_bad_rate: float | None

    @property
    def ratio(self) -> float | None:
        if not self.predicted_pd or self.observed_bad_rate is None:
            return None
        return self.observed_bad_rate / self.predicted_pd


def calibration_table(groups: np.ndarray, order: list[str], pd_values: np.ndarray, y: np.ndarray) -> list[CalibrationRow]:
    """Per group (in `order`): rows, bads, mean predicted PD and observed bad rate (known outcomes only)."""
    out = []
    known = ~np.isnan(y)
    for g in order:
        mask = (groups == g) & known
        n = int(mask.sum())
        out.append(CalibrationRow(str(g), n, int(y[mask].sum()) if n else 0,
                                  float(pd_values[mask].mean()) if n else None,
                                  float(y[mask].mean()) if n else None))
    return out


@dataclass
class Recalibration:
    """What `recalibrate` changed: the old and new mapping and the per-band table under the new one."""

    rows: int
    bads: int
    old: dict
    new: dict
    by_band: list[CalibrationRow]

    def to_dict(self) -> dict:
        out = asdict(self)
        for row, data in zip(self.by_band, out["by_band"], strict=True):
            data["ratio"] = row.ratio
        return out


def recalibrate(checked: CheckedSpec, data, target: str = "bad_flag", source: str = "") -> tuple[ProductSpec, Recalibration]:
    """Refit the score-to-PD mapping of `checked` on the outcomes in `data` (points unchanged)."""
    from validation.model.features import ModelDataError, feature_frame
    from validation.model.scorecard import _outcomes

    frame = feature_frame(checked, data, [target])
    y = _outcomes(frame[target], target)
    known = ~np.isnan(y)
    if y[known].sum() < 10 or (1 - y[known]).sum() < 10:
        raise ModelDataError(f"{target}: at least 10 goods and 10 bads with outcomes are needed to calibrate")
    scores, second = scores_of(checked.spec, frame)
    try:
        intercept, slope, second_slope = fit_for(checked.spec, scores[known],
                                                 None if second is None else second[known], y[known])
    except ValueError as err:
        raise ModelDataError(str(err)) from None
    old = checked.pd_mapping()
    spec = with_calibration(checked.spec, intercept, slope, None,
                            f"{source or 'data'}: {int(known.sum()):,} rows with outcomes, bad rate {y[known].mean():.2%}",
                            second_slope)
    from product_specs import check_spec

    new = check_spec(spec).checked
    mapping = new.pd_mapping() if new is not None else old
    bands = final_bands(checked.spec, scores, second)
    pd_values = pd_of(mapping, scores, second)
    table = calibration_table(bands[known], [b.id for b in checked.spec.decision.bands], pd_values[known], y[known])
    return spec, Recalibration(int(known.sum()), int(y[known].sum()), _mapping(old), _mapping(mapping), table)


def _mapping(mapping) -> dict:
    out = {"intercept": mapping.intercept, "slope": mapping.slope, "source": mapping.source}
    if mapping.second_slope:
        out["second_slope"] = mapping.second_slope
    return out


def pd_of(mapping, scores: np.ndarray, second: np.ndarray | None = None) -> np.ndarray:
    """The PD `mapping` gives every row (as the decision computes it, log-odds clamped)."""
    if second is None:
        return np.array([mapping.pd(float(s)) for s in scores])
    return np.array([mapping.pd(float(s), float(t)) for s, t in zip(scores, second, strict=True)])


def _graded(items, scores: np.ndarray) -> np.ndarray:
    out = np.full(len(scores), items[-1].id, dtype=object)
    for item in reversed(items[:-1]):
        out[scores >= item.min_score] = item.id
    return out


def final_bands(spec: ProductSpec, scores: np.ndarray, second: np.ndarray | None) -> np.ndarray:
    """The band every row is decided in: read off the first score, and with a second scorecard, combined
    with the second score's grade by its matrix."""
    first = _graded(spec.decision.bands, scores)
    card = spec.scorecard.second
    if card is None or second is None:
        return first
    grades = _graded(card.grades, second)
    out = np.empty(len(scores), dtype=object)
    for band, row in card.matrix.items():
        for grade, final in row.items():
            out[(first == band) & (grades == grade)] = final
    return out
