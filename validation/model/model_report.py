"""How good a scorecard is: AUC, KS and Gini on train and test, the IV table, the bins, the odds table,
calibration per band, ROC and KS curves. Plain data (`to_dict()` is JSON-ready); tables.py lays it out
for the terminal, the HTML report and the designer.

Definitions: AUC is the probability that a random bad scores below a random good (ties count half);
Gini = 2 AUC - 1; KS = the largest gap between the cumulative shares of bads and goods below a score.
The odds table groups the test split into ten score ranges of about equal size, best first; its
cumulative approval rate is the share at or above the range's lowest score and its cumulative bad rate
the bad rate among them (what a cut-off there would approve).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

__all__ = ["ModelReport", "Quality", "BinRow", "OddsRow", "judge_model", "judge_result", "model_quality", "odds_table",
           "roc_points", "ks_points"]

CURVE_POINTS = 50


@dataclass
class Quality:
    """Discrimination of a score on one split."""

    rows: int
    bads: int
    auc: float | None
    gini: float | None
    ks: float | None


@dataclass
class BinRow:
    field: str
    bin: str
    count: float
    bads: float
    bad_rate: float | None
    woe: float
    points: int | None


@dataclass
class OddsRow:
    lower: int
    upper: int
    count: int
    bads: int
    bad_rate: float | None
    odds: float | None  # goods per bad
    cumulative_approval: float | None
    cumulative_bad_rate: float | None


@dataclass
class ModelReport:
    """Everything said about one trained (or judged) scorecard."""

    product_id: str
    target: str
    source: str
    seed: int
    test_size: float
    train: Quality | None  # None when the model is judged on one population (a simulation)
    test: Quality
    reject_inference: dict
    candidates: list
    characteristics: list[dict]
    bins: list[BinRow]
    odds: list[OddsRow]
    calibration: list
    scaling: dict
    pd_mapping: dict
    roc: list[tuple[float, float]]
    ks_curve: list[tuple[float, float, float]]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = asdict(self)
        for row, data in zip(self.calibration, out["calibration"], strict=True):
            data["ratio"] = row.ratio
        return out


def _collapsed(scores: np.ndarray, y: np.ndarray, w: np.ndarray | None = None):
    """(risk, y, weight) with one row per distinct score and outcome, weighted by how many applicants (or how
    much weight) it stands for: the same ROC curve, AUC and KS as the full arrays (sklearn sums the weights
    at each threshold). A scorecard's scores are whole numbers over a few hundred points, so 10M applicants
    become a few hundred rows, counted without a sort; other scores are grouped by one sort, unless nearly
    every score is distinct (then the arrays are kept)."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(y, dtype=float)
    weights = None if w is None else np.asarray(w, dtype=float)
    low, high = float(s.min()), float(s.max())
    if high - low <= _COUNTED_RANGE and np.array_equal(s, np.round(s)):
        index = (s - low).astype(np.int64)
        size = int(high - low) + 1
        total = np.bincount(index, weights=weights, minlength=size)
        bad = np.bincount(index, weights=y if weights is None else weights * y, minlength=size)
        keys = low + np.arange(size, dtype=float)
    else:
        keys, index = np.unique(s, return_inverse=True)
        if len(keys) * 4 > len(s):
            return -s, y, weights
        total = np.bincount(index, weights=weights, minlength=len(keys))
        bad = np.bincount(index, weights=y if weights is None else weights * y, minlength=len(keys))
    good = total - bad
    risk, outcome, weight = np.concatenate([-keys, -keys]), np.repeat([1.0, 0.0], len(keys)), np.concatenate([bad, good])
    keep = weight > 0
    return risk[keep], outcome[keep], weight[keep]


_COUNTED_RANGE = 1_000_000  # whole-number scores spanning at most this many points are counted per point


def model_quality(scores: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> Quality:
    """AUC, Gini and KS of `scores` (higher = safer) against outcomes `y` (1 = bad)."""
    from sklearn.metrics import roc_auc_score, roc_curve

    y = np.asarray(y, dtype=float)
    n, bads = len(y), int(round(float((y if w is None else y * w).sum())))
    if n == 0 or y.min() == y.max():
        return Quality(n, bads, None, None, None)
    risk, y, w = _collapsed(scores, y, w)
    auc = float(roc_auc_score(y, risk, sample_weight=w))
    fpr, tpr, _ = roc_curve(y, risk, sample_weight=w)
    return Quality(n, bads, auc, 2 * auc - 1, float(np.max(tpr - fpr)))


def roc_points(scores: np.ndarray, y: np.ndarray) -> list[tuple[float, float]]:
    """(false positive rate, true positive rate) at about CURVE_POINTS thresholds."""
    from sklearn.metrics import roc_curve

    if len(y) == 0 or np.min(y) == np.max(y):
        return []
    risk, y, w = _collapsed(scores, y)
    fpr, tpr, _ = roc_curve(y, risk, sample_weight=w)
    pick = np.unique(np.linspace(0, len(fpr) - 1, CURVE_POINTS).round().astype(int))
    return [(float(fpr[i]), float(tpr[i])) for i in pick]


def ks_points(scores: np.ndarray, y: np.ndarray) -> list[tuple[float, float, float]]:
    """(score, cumulative share of bads, of goods) at or below each of about CURVE_POINTS scores (the
    scores' quantiles, interpolated linearly as numpy's), from the counts per distinct score."""
    if len(y) == 0 or np.min(y) == np.max(y):
        return []
    risk, outcome, weight = _collapsed(scores, y)
    weight = np.ones(len(risk)) if weight is None else weight
    values = -risk
    order = np.argsort(values, kind="stable")
    values, outcome, weight = values[order], outcome[order], weight[order]
    distinct, at = np.unique(values, return_index=True)  # ascending; the rows of each distinct score
    count = np.add.reduceat(weight, at)
    bad = np.add.reduceat(weight * outcome, at)
    cum = np.cumsum(count)
    n = cum[-1]
    position = (n - 1) * np.linspace(0, 1, CURVE_POINTS)  # numpy's linear quantile of the expanded scores
    below = np.floor(position)
    low = distinct[np.searchsorted(cum, below, side="right")]
    high = distinct[np.minimum(np.searchsorted(cum, below + 1, side="right"), len(distinct) - 1)]
    grid = np.unique(low + (position - below) * (high - low))
    total_bad = float(bad.sum())
    bads, goods = max(total_bad, 1), max(float(n - total_bad), 1)
    cum_bad, cum_good = np.cumsum(bad), np.cumsum(count - bad)
    idx = np.searchsorted(distinct, grid, side="right") - 1
    return [(float(g), float(cum_bad[i] / bads), float(cum_good[i] / goods)) for g, i in zip(grid, idx, strict=True)]


def odds_table(scores: np.ndarray, y: np.ndarray, groups: int = 10) -> list[OddsRow]:
    """Ten score ranges of about equal size, best first, with bad rate, odds and cumulative figures."""
    if len(scores) == 0:
        return []
    s = np.asarray(scores)
    edges = np.unique(np.quantile(s, np.linspace(0, 1, groups + 1)[1:-1]).round())
    index = np.searchsorted(edges, s, side="right")
    out = []
    total = len(s)
    for g in range(len(edges), -1, -1):
        mask = index == g
        if not mask.any():
            continue
        above = s >= s[mask].min()
        n, b = int(mask.sum()), int(y[mask].sum())
        out.append(OddsRow(int(s[mask].min()), int(s[mask].max()), n, b, b / n, (n - b) / b if b else None,
                           float(above.mean()), float(y[above].mean()) if total else None))
    return out


def judge_model(checked, spec, frame, scores, y_all, train_rows, train_y, train_w, test_rows, binnings, candidates,
                calibration, inference, options) -> ModelReport:
    """The report of a freshly trained scorecard (see scorecard.train_scorecard)."""
    from product_specs import check_spec
    from validation.model.calibration import calibration_table, final_bands, pd_of, scores_of

    y_test = y_all[test_rows]
    train = model_quality(scores[train_rows], train_y, train_w)
    test = model_quality(scores[test_rows], y_test)
    bins = [BinRow(b.field, s.label, s.count, s.bads, s.bad_rate, s.woe, s.points) for b in binnings for s in b.all_bins()]
    characteristics = [{"field": b.field, "kind": b.kind, "iv": b.iv, "trend": b.trend, "notes": b.notes}
                       for b in binnings]
    new = check_spec(spec).checked
    mapping = new.pd_mapping() if new is not None else checked.pd_mapping()
    first, second = scores_of(spec, frame)  # the PD and the band take both scores of a product with two
    second_test = None if second is None else second[test_rows]
    pd_test = pd_of(mapping, first[test_rows], second_test)
    bands = final_bands(spec, first[test_rows], second_test)
    table = calibration_table(bands, [b.id for b in spec.decision.bands], pd_test, y_test)
    notes = []
    if inference["rows_without_outcome"] and inference["method"] == "none":
        notes.append(f"{inference['rows_without_outcome']:,} row(s) without an outcome were left out of training "
                     "(no reject inference): the model learnt from known outcomes only")
    elif inference["rows_added"]:
        notes.append(f"{inference['rows_added']:,} row(s) without an outcome were added to training by "
                     f"{inference['method']} reject inference; the test split holds known outcomes only")
    if second_test is not None and mapping.second_slope:
        both = model_quality(-pd_test, y_test)
        notes.append(f"{options.model} of two scorecards trained; both together (the PD fitted on both scores) on the "
                     f"test split: AUC {both.auc:.3f}, KS {both.ks:.3f}")
    suspicious = [c.field for c in candidates if c.selected and c.iv > 0.5]
    if suspicious:
        notes.append(f"IV above 0.5 (check for leakage of the outcome): {', '.join(suspicious)}")
    scaling = spec.scorecard.scaling
    return ModelReport(
        product_id=spec.product.id, target=options.target, source=options.source, seed=options.seed,
        test_size=options.test_size, train=train, test=test, reject_inference=inference, candidates=candidates,
        characteristics=characteristics, bins=bins, odds=odds_table(scores[test_rows], y_test), calibration=table,
        scaling={"base_score": scaling.base_score, "base_odds": float(scaling.base_odds), "pdo": float(scaling.pdo),
                 "base_points": spec.scorecard.base_points},
        pd_mapping=_mapping(mapping), roc=roc_points(scores[test_rows], y_test),
        ks_curve=ks_points(scores[test_rows], y_test), notes=notes)


def _mapping(mapping) -> dict:
    out = {"intercept": mapping.intercept, "slope": mapping.slope, "source": mapping.source}
    if mapping.second_slope:
        out["second_slope"] = mapping.second_slope
    return out


def numbers(column) -> np.ndarray:
    """An Arrow numeric column as float64, nulls as NaN, without a Python object per row (10M rows)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)


def labels(column) -> np.ndarray:
    """An Arrow text column (plain or dictionary-encoded) as an object array whose rows share one str per
    distinct value: 8 bytes a row, not a new str for each of 10M rows."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    combined = column.unify_dictionaries().combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    values = np.array(combined.dictionary.to_pylist() + [None], dtype=object)
    indices = pc.fill_null(combined.indices, len(combined.dictionary)).to_numpy(zero_copy_only=False)
    return values[indices]


def judge_result(result) -> ModelReport | None:
    """How the product's score ranks and how its PD fits on a simulated population (None without outcomes):
    the model section of a simulation's figures and report."""
    from validation.model.calibration import calibration_table

    table = result.table
    if "bad_flag" not in table.column_names:
        return None
    bad = numbers(table["bad_flag"])
    known = ~np.isnan(bad)
    if not known.any():
        return None
    scores = table["score"].to_numpy().astype(float)[known]
    y = bad[known]
    pd_values = table["pd"].to_numpy().astype(float)[known]
    bands = labels(table["band"])[known]
    checked = result.checked
    mapping = checked.pd_mapping()
    s = checked.spec.scorecard.scaling
    notes = [] if mapping.source == "calibration" else [
        "PD is read off the declared scaling (not fitted to outcomes): the calibration table shows how far off it is"]
    ranked = scores
    if checked.spec.scorecard.second is not None and mapping.second_slope:
        # two scorecards: the decision ranks applicants by what combines them, the PD (lower is better)
        ranked = -pd_values
        notes.append("two scorecards: AUC, KS and the curves rank applicants by the PD fitted on both scores; the "
                     "odds table is of the first score")
    return ModelReport(
        product_id=checked.product_id, target="bad_flag", source=result.source, seed=0, test_size=0.0,
        train=None, test=model_quality(ranked, y), reject_inference={"method": "none", "rows_without_outcome":
                                                                    int((~known).sum()), "rows_added": 0},
        candidates=[], characteristics=[], bins=[], odds=odds_table(scores, y),
        calibration=calibration_table(bands, [b.id for b in checked.spec.decision.bands], pd_values, y),
        scaling={"base_score": s.base_score, "base_odds": float(s.base_odds), "pdo": float(s.pdo),
                 "base_points": checked.spec.scorecard.base_points},
        pd_mapping=_mapping(mapping), roc=roc_points(ranked, y), ks_curve=ks_points(ranked, y), notes=notes)
