"""Supervised binning of one characteristic: bins learnt from outcomes, with WOE and IV.

Numeric: a decision tree (scikit-learn) proposes up to `prebins` cut points on the non-missing values,
rounded to readable numbers (whole numbers for integer fields, three significant digits otherwise); bins
smaller than `min_share` of the rows or without a good or a bad are merged into their closer neighbour;
with `monotonic` set (or detected by `auto`) adjacent bins whose bad rates break the trend are pooled;
then the two adjacent bins whose merge loses least information value are merged until `max_bins` remain.
Categorical: levels rarer than `min_share` are pooled, the groups are ordered by bad rate and merged
like numeric bins. Missing values always get their own bin.

WOE = ln(share of goods / share of bads) (higher = safer), each count smoothed by 0.5; IV = sum over bins
of (share of goods - share of bads) x WOE. Weights (reject inference) count as rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["BinStats", "Binning", "bin_numeric", "bin_categorical", "iv_strength", "nice_number"]

SMOOTHING = 0.5


@dataclass
class BinStats:
    """One bin: its interval [lower, upper) or its categories, counts, bad rate and WOE."""

    label: str
    count: float
    bads: float
    lower: float | None = None
    upper: float | None = None
    values: list[str] | None = None
    missing: bool = False
    woe: float = 0.0
    points: int | None = None

    @property
    def goods(self) -> float:
        return self.count - self.bads

    @property
    def bad_rate(self) -> float | None:
        return self.bads / self.count if self.count else None


@dataclass
class Binning:
    """The bins of one characteristic (ordered: ascending intervals or categories by bad rate)."""

    field: str
    kind: str  # numeric or category
    bins: list[BinStats]
    missing: BinStats | None
    iv: float
    trend: str  # ascending, descending (bad rate with the value) or none
    notes: list[str] = field(default_factory=list)

    def all_bins(self) -> list[BinStats]:
        return self.bins + ([self.missing] if self.missing is not None else [])


def iv_strength(iv: float) -> str:
    """The usual reading of an information value."""
    if iv < 0.02:
        return "useless"
    if iv < 0.1:
        return "weak"
    if iv < 0.3:
        return "medium"
    if iv <= 0.5:
        return "strong"
    return "suspicious"


def nice_number(value: float, integer: bool) -> float:
    """A cut point a person reads: a whole number for integer fields, else three significant digits."""
    if integer:
        return float(math.ceil(value))
    if value == 0 or not math.isfinite(value):
        return value
    digits = 2 - int(math.floor(math.log10(abs(value))))
    return round(value, digits)


# --- numeric -------------------------------------------------------------------------------------------

def bin_numeric(name: str, x: np.ndarray, y: np.ndarray, w: np.ndarray, integer: bool, monotonic: str = "auto",
                max_bins: int = 6, min_share: float = 0.05, prebins: int = 20, seed: int = 7) -> Binning:
    """Bins of a numeric characteristic (`x` float with NaN for missing, `y` 0/1, `w` weights)."""
    from sklearn.tree import DecisionTreeClassifier

    present = ~np.isnan(x)
    xs, ys, ws = x[present], y[present], w[present]
    edges: list[float] = []
    if len(xs) and np.unique(xs[: 200_000]).size > 1:
        leaf = max(int(min_share * len(xs) / 2), 1)
        tree = DecisionTreeClassifier(max_leaf_nodes=prebins, min_samples_leaf=leaf, random_state=seed)
        tree.fit(xs.reshape(-1, 1), ys, sample_weight=ws)
        cuts = tree.tree_.threshold[tree.tree_.feature >= 0]
        edges = sorted({nice_number(float(c), integer) for c in cuts})
        low, high = float(xs.min()), float(xs.max())
        edges = [e for e in edges if low < e <= high]
    groups = _numeric_groups(xs, ys, ws, edges)
    groups, trend = _merge(groups, monotonic, max_bins, min_share * float(w.sum()))
    bins = [BinStats(_interval(g["lower"], g["upper"]), g["count"], g["bads"], g["lower"], g["upper"]) for g in groups]
    missing = _missing_bin(~present, y, w)
    return _finish(name, "numeric", bins, missing, trend, y, w)


def _numeric_groups(xs, ys, ws, edges: list[float]) -> list[dict]:
    index = np.searchsorted(np.asarray(edges, dtype=float), xs, side="right")
    counts = np.bincount(index, weights=ws, minlength=len(edges) + 1)
    bads = np.bincount(index, weights=ws * ys, minlength=len(edges) + 1)
    bounds = [None, *edges, None]
    return [{"lower": bounds[i], "upper": bounds[i + 1], "count": float(counts[i]), "bads": float(bads[i])}
            for i in range(len(edges) + 1)]


def _interval(lower, upper) -> str:
    return f"[{'' if lower is None else f'{lower:g}'}, {'' if upper is None else f'{upper:g}'})"


# --- categorical ---------------------------------------------------------------------------------------

def bin_categorical(name: str, x: np.ndarray, y: np.ndarray, w: np.ndarray, categories: list[str],
                    max_bins: int = 6, min_share: float = 0.05) -> Binning:
    """Bins of a category characteristic (`x` object array, None for missing); every declared category
    ends in exactly one bin (categories without rows join the largest bin)."""
    present = np.array([v is not None and v == v for v in x], dtype=bool)
    total = float(w.sum())
    stats = {}
    for cat in categories:
        mask = present & (x == cat)
        stats[cat] = (float(w[mask].sum()), float((w * y)[mask].sum()))
    seen = {c: s for c, s in stats.items() if s[0] > 0}
    rare = [c for c, (n, _) in seen.items() if n < min_share * total]
    groups = [{"values": [c], "count": n, "bads": b} for c, (n, b) in seen.items() if c not in rare]
    if rare:
        groups.append({"values": rare, "count": sum(seen[c][0] for c in rare), "bads": sum(seen[c][1] for c in rare)})
    notes = [f"rare levels pooled: {', '.join(rare)}"] if len(rare) > 1 else []
    groups.sort(key=lambda g: (g["bads"] + SMOOTHING) / (g["count"] + 2 * SMOOTHING))
    groups, _ = _merge(groups, "ascending", max_bins, min_share * total)
    unseen = [c for c in categories if c not in seen]
    if unseen:
        if not groups:
            groups = [{"values": [], "count": 0.0, "bads": 0.0}]
        max(groups, key=lambda g: g["count"])["values"].extend(unseen)
        notes.append(f"categories without training rows join the largest bin: {', '.join(unseen)}")
    bins = [BinStats(", ".join(g["values"]), g["count"], g["bads"], values=list(g["values"])) for g in groups]
    missing = _missing_bin(~present, y, w)
    binning = _finish(name, "category", bins, missing, "none", y, w)
    binning.notes += notes
    return binning


# --- shared --------------------------------------------------------------------------------------------

def _missing_bin(mask: np.ndarray, y: np.ndarray, w: np.ndarray) -> BinStats | None:
    if not mask.any():
        return None
    return BinStats("missing", float(w[mask].sum()), float((w * y)[mask].sum()), missing=True)


def _join(a: dict, b: dict) -> dict:
    out = {"count": a["count"] + b["count"], "bads": a["bads"] + b["bads"]}
    if "values" in a:
        out["values"] = a["values"] + b["values"]
    else:
        out["lower"], out["upper"] = a["lower"], b["upper"]
    return out


def _rate(g: dict) -> float:
    return (g["bads"] + SMOOTHING) / (g["count"] + 2 * SMOOTHING)


def _merge(groups: list[dict], monotonic: str, max_bins: int, min_count: float) -> tuple[list[dict], str]:
    """Small or one-sided bins into their closer neighbour, then the trend, then down to max_bins."""
    groups = [g for g in groups if g["count"] > 0] or groups[:1]
    while len(groups) > 1:
        weak = [i for i, g in enumerate(groups) if g["count"] < min_count or g["bads"] <= 0 or g["bads"] >= g["count"]]
        if not weak:
            break
        i = min(weak, key=lambda k: groups[k]["count"])
        groups = _merge_at(groups, _closer(groups, i))
    trend = _trend(groups) if monotonic == "auto" else monotonic
    if trend in ("ascending", "descending"):
        sign = 1 if trend == "ascending" else -1
        changed = True
        while changed and len(groups) > 1:
            changed = False
            for i in range(len(groups) - 1):
                if sign * (_rate(groups[i + 1]) - _rate(groups[i])) < 0:
                    groups = _merge_at(groups, i)
                    changed = True
                    break
    while len(groups) > max(max_bins, 1):
        i = min(range(len(groups) - 1), key=lambda k: _iv_loss(groups, k))
        groups = _merge_at(groups, i)
    return groups, trend if len(groups) > 1 else "none"


def _merge_at(groups: list[dict], i: int) -> list[dict]:
    """Merge groups i and i + 1."""
    return groups[:i] + [_join(groups[i], groups[i + 1])] + groups[i + 2:]


def _closer(groups: list[dict], i: int) -> int:
    """The left index of the pair that merges bin i with its neighbour of closer bad rate."""
    if i == 0:
        return 0
    if i == len(groups) - 1:
        return i - 1
    left, right = abs(_rate(groups[i - 1]) - _rate(groups[i])), abs(_rate(groups[i + 1]) - _rate(groups[i]))
    return i - 1 if left <= right else i


def _trend(groups: list[dict]) -> str:
    """Whether bad rate rises or falls with the bins (weighted correlation of bin order and bad rate)."""
    if len(groups) < 2:
        return "none"
    n = np.array([g["count"] for g in groups])
    r = np.array([_rate(g) for g in groups])
    k = np.arange(len(groups), dtype=float)
    km, rm = np.average(k, weights=n), np.average(r, weights=n)
    cov = float(np.sum(n * (k - km) * (r - rm)))
    return "ascending" if cov >= 0 else "descending"


def _iv_loss(groups: list[dict], i: int) -> float:
    total_bads = sum(g["bads"] for g in groups)
    total_goods = sum(g["count"] - g["bads"] for g in groups)

    def iv(g):
        db = (g["bads"] + SMOOTHING) / (total_bads + SMOOTHING)
        dg = (g["count"] - g["bads"] + SMOOTHING) / (total_goods + SMOOTHING)
        return (dg - db) * math.log(dg / db)

    return iv(groups[i]) + iv(groups[i + 1]) - iv(_join(groups[i], groups[i + 1]))


def _finish(name: str, kind: str, bins: list[BinStats], missing: BinStats | None, trend: str, y, w) -> Binning:
    total_bads = float((w * y).sum())
    total_goods = float(w.sum()) - total_bads
    iv = 0.0
    for b in bins + ([missing] if missing is not None else []):
        db = (b.bads + SMOOTHING) / (total_bads + SMOOTHING)
        dg = (b.goods + SMOOTHING) / (total_goods + SMOOTHING)
        b.woe = math.log(dg / db)
        iv += (dg - db) * b.woe
    return Binning(name, kind, bins, missing, iv, trend)


def woe_column(binning: Binning, x: np.ndarray) -> np.ndarray:
    """The WOE of each value of `x` under `binning` (numeric: float array with NaN; category: objects)."""
    out = np.zeros(len(x))
    missing_woe = binning.missing.woe if binning.missing is not None else 0.0
    if binning.kind == "numeric":
        uppers = np.array([b.upper for b in binning.bins[:-1]], dtype=float)
        woes = np.array([b.woe for b in binning.bins])
        present = ~np.isnan(x)
        out[present] = woes[np.searchsorted(uppers, x[present], side="right")]
        out[~present] = missing_woe
        return out
    table = {v: b.woe for b in binning.bins for v in b.values}
    return np.array([table.get(v, missing_woe) if v is not None and v == v else missing_woe for v in x])
