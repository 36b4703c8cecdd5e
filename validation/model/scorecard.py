"""Train a points scorecard from outcomes and write it into a product spec.

Steps: data --feature_frame--> fields and derived features --split (stratified, seeded)--> train / test
--bin_* (train only)--> bins, WOE, IV --select (IV, correlation)--> characteristics --logistic regression
(scikit-learn, on WOE)--> coefficients --scale--> integer points such that
score = base_score + PDO / ln 2 x ln(odds / base_odds) --calibrate (train)--> the score-to-PD mapping
--write--> a new spec (scorecard with reason codes, calibration, the scaling the fit gives, band cut-offs
keeping each band's share of the training applicants, example tests re-derived) and a ModelReport.

Rows without an outcome (declined applicants) are left out (`none`) or added to the training split by
reject inference: `parcelling` gives each a seeded random outcome drawn at the bad rate of its score
band among known outcomes; `fuzzy` adds each twice, as bad with weight PD and as good with weight 1 - PD
(PD from the model trained on known outcomes). The test split holds known outcomes only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from product_specs import CheckedSpec, ProductSpec
from validation.model.binning import Binning, bin_categorical, bin_numeric, iv_strength, woe_column
from validation.model.calibration import fit_for, scores_of, with_calibration
from validation.model.features import ModelDataError, feature_frame, scorable
from validation.model.model_report import ModelReport, judge_model

__all__ = ["TrainOptions", "TrainResult", "train_scorecard", "score_frame", "rederive_examples", "CandidateRow",
           "REJECT_INFERENCE"]

REJECT_INFERENCE = ("none", "parcelling", "fuzzy")
MAX_CANDIDATES = 500
"""Most candidate characteristics a training run looks at."""


@dataclass
class TrainOptions:
    """How to train. Scaling defaults to the spec's declared one (its base score, base odds and PDO are
    then *made* true by the fit)."""

    target: str = "bad_flag"
    test_size: float = 0.3
    seed: int = 7
    monotonic: str = "auto"  # auto or none
    max_features: int | None = None
    min_iv: float = 0.02
    max_corr: float = 0.7
    max_bins: int = 6
    min_share: float = 0.05
    reject_inference: str = "none"
    candidates: tuple[str, ...] | None = None  # default: every scorable field and derived feature but PII
    exclude: tuple[str, ...] = ()
    base_score: int | None = None
    base_odds: float | None = None
    pdo: float | None = None
    source: str = ""
    model: str = "first"  # first or second: which scorecard of a product with two is trained

    def validate(self) -> None:
        if self.model not in ("first", "second"):
            raise ValueError("the model trained is first or second")
        if not 0.05 <= self.test_size <= 0.9:
            raise ValueError("the test share must lie between 0.05 and 0.9")
        if self.monotonic not in ("auto", "none"):
            raise ValueError("monotonic is auto or none")
        if self.reject_inference not in REJECT_INFERENCE:
            raise ValueError(f"reject inference is one of: {', '.join(REJECT_INFERENCE)}")
        if self.max_features is not None and not 1 <= self.max_features <= 100:
            raise ValueError("max features lies between 1 and 100")
        if not 2 <= self.max_bins <= 20:
            raise ValueError("max bins lies between 2 and 20")


@dataclass
class CandidateRow:
    """One candidate characteristic: its IV and why it was kept or left out."""

    field: str
    kind: str
    iv: float
    strength: str
    selected: bool
    reason: str  # selected, low IV, correlated with X, wrong sign, over max features


@dataclass
class TrainResult:
    """A trained product spec and everything said about the model."""

    spec: ProductSpec
    report: ModelReport
    binnings: list[Binning]
    candidates: list[CandidateRow]
    changed_examples: list[str] = field(default_factory=list)


_MIN_CALIBRATION_BADS = 50
"""Held-out bads needed to fit the score-to-PD mapping on the held-out split (else: on the training split)."""


def train_scorecard(checked: CheckedSpec, data, options: TrainOptions | None = None) -> TrainResult:
    """Train a scorecard for `checked` on `data` and return the new spec (not yet checked) with its report.

    Raises ModelDataError when the data cannot train a model (no target column, outcomes not 0/1, too few
    goods or bads).
    """
    options = options or TrainOptions()
    options.validate()
    if options.model == "second" and checked.spec.scorecard.second is None:
        raise ModelDataError("the product has no second scorecard to train: add `scorecard.second` (its grades and "
                             "matrix) first")
    frame = feature_frame(checked, data, [options.target])
    y_all = _outcomes(frame[options.target], options.target)
    known = ~np.isnan(y_all)
    y_known = y_all[known].astype(int)
    if y_known.sum() < 20 or (1 - y_known).sum() < 20:
        raise ModelDataError(f"{options.target}: at least 20 goods and 20 bads with outcomes are needed "
                             f"(found {int((1 - y_known).sum())} goods, {int(y_known.sum())} bads)")
    from sklearn.model_selection import train_test_split

    known_rows = np.flatnonzero(known)
    train_rows, test_rows = train_test_split(known_rows, test_size=options.test_size, random_state=options.seed,
                                             stratify=y_known)
    train_rows, test_rows = np.sort(train_rows), np.sort(test_rows)
    kinds = _candidates(checked, options)
    columns = {name: _values(frame[name], kind) for name, kind in kinds.items()}
    y = np.nan_to_num(y_all).astype(float)
    w = np.ones(len(frame))
    fit = _fit(checked, kinds, columns, y, w, train_rows, options)
    rejects = np.flatnonzero(~known)
    inference = {"method": options.reject_inference, "rows_without_outcome": int(len(rejects)), "rows_added": 0}
    if options.reject_inference != "none" and len(rejects):
        fit, inference = _reject_inference(checked, kinds, columns, y, fit, train_rows, rejects, options, inference)
    spec, binnings, base_score = _write(checked, fit, options)
    first, second = scores_of(spec, frame)
    scores = second if options.model == "second" else first  # the trained scorecard's
    # the score-to-PD mapping is fitted on the held-out split: on the training rows it inherits the fit's
    # optimism (PDs too extreme at both ends, the best band's PD too low); too few held-out bads: training rows
    # (with two scorecards, on both scores together)
    held_out_bads = int(y[test_rows].sum())
    if held_out_bads >= _MIN_CALIBRATION_BADS and not inference["rows_added"]:
        intercept, slope, second_slope = _fit_pd_rows(spec, first, second, test_rows, y[test_rows], w[test_rows])
        described = (f"{options.source or 'data'}: held-out split, {len(test_rows):,} rows with outcomes "
                     f"(seed {options.seed}; points from the training split)")
    else:
        rows = fit["train_rows"]
        intercept, slope, second_slope = _fit_pd_rows(spec, first, second, rows, fit["train_y"], fit["train_w"])
        described = f"{options.source or 'data'}: training split, {len(train_rows):,} rows with outcomes (seed {options.seed})"
        if inference["rows_added"]:
            described += f" + {inference['rows_added']:,} without, by {options.reject_inference} reject inference"
    spec = with_calibration(spec, intercept, slope, base_score, described, second_slope)
    calibration = spec.scorecard.calibration
    report = judge_model(checked, spec, frame, scores, y_all, fit["train_rows"], fit["train_y"], fit["train_w"],
                         test_rows, binnings, fit["candidates"], calibration, inference, options)
    new_spec, changed = _finish_spec(checked, spec, frame, scores, train_rows, options.model)
    return TrainResult(new_spec, report, binnings, fit["candidates"], changed)


# --- data -----------------------------------------------------------------------------------------------

def _fit_pd_rows(spec: ProductSpec, first: np.ndarray, second: np.ndarray | None, rows: np.ndarray, y: np.ndarray,
                 w: np.ndarray) -> tuple[float, float, float | None]:
    return fit_for(spec, first[rows], None if second is None else second[rows], y, w)


def _outcomes(column: pd.Series, name: str) -> np.ndarray:
    values = pd.to_numeric(column.astype("object").where(column.notna(), None), errors="coerce")
    y = values.to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isnan(y) & ~np.isin(y, (0.0, 1.0))
    if bad.any():
        raise ModelDataError(f"{name}: outcomes must be 0 (good), 1 (bad) or empty (unknown); "
                             f"{int(bad.sum())} row(s) hold something else")
    return y


def _values(column: pd.Series, kind: str) -> np.ndarray:
    if kind == "numeric":
        return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.array([None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else str(v)
                     for v in column.astype("object")], dtype=object)


def _candidates(checked: CheckedSpec, options: TrainOptions) -> dict[str, str]:
    spec = checked.spec
    kinds = scorable(checked)
    excluded = {f.name for f in spec.fields if f.pii}
    card = spec.scorecard
    # a product with two scorecards: each scores its own fields, so the other's are no candidates
    other = card.characteristics if options.model == "second" else card.second.characteristics \
        if card.second is not None else []
    excluded |= {ch.field for ch in other}
    if options.candidates is not None:
        taken = [n for n in options.candidates if n in {ch.field for ch in other}]
        if taken:
            raise ModelDataError(f"{', '.join(taken)}: scored by the product's other scorecard")
    wanted = options.candidates if options.candidates is not None else [n for n in kinds if n not in excluded]
    unknown = [n for n in wanted if n not in kinds]
    if unknown:
        raise ModelDataError(f"cannot score {', '.join(unknown)}: only numeric and category fields and derived "
                             "numbers can be characteristics")
    out = {n: kinds[n] for n in wanted if n not in options.exclude and n != options.target}
    if not out:
        raise ModelDataError("no candidate characteristic left to train on")
    if len(out) > MAX_CANDIDATES:
        raise ModelDataError(f"{len(out)} candidate characteristics: at most {MAX_CANDIDATES}")
    return out


# --- fitting --------------------------------------------------------------------------------------------

def _bin_all(checked, kinds, columns, y, w, rows, options) -> dict[str, Binning]:
    out = {}
    categories = {name: list(s.categories) for name, s in checked.scope.items() if s.categories is not None}
    integers = {f.name for f in checked.spec.fields if f.type.value == "integer"}
    for name, kind in kinds.items():
        x = columns[name][rows]
        if kind == "numeric":
            out[name] = bin_numeric(name, x, y[rows], w[rows], name in integers, options.monotonic,
                                    options.max_bins, options.min_share, seed=options.seed)
        else:
            out[name] = bin_categorical(name, x, y[rows], w[rows], categories[name], options.max_bins,
                                        options.min_share)
    return out


def _fit(checked, kinds, columns, y, w, rows, options, binnings: dict[str, Binning] | None = None) -> dict:
    """Bin (unless given), select and fit on `rows`; returns the fitted pieces."""
    from sklearn.linear_model import LogisticRegression

    if binnings is None:
        binnings = _bin_all(checked, kinds, columns, y, w, rows, options)
    woes = {name: woe_column(b, columns[name][rows]) for name, b in binnings.items()}
    ranked = sorted(binnings, key=lambda n: -binnings[n].iv)
    reasons: dict[str, str] = {}
    chosen: list[str] = []
    for name in ranked:
        if binnings[name].iv < options.min_iv or len(binnings[name].all_bins()) < 2:
            reasons[name] = f"IV below {options.min_iv:g}" if binnings[name].iv < options.min_iv else "one bin only"
            continue
        clash = next((c for c in chosen if abs(_corr(woes[name], woes[c], w[rows])) > options.max_corr), None)
        if clash is not None:
            reasons[name] = f"correlated with {clash} (|r| > {options.max_corr:g})"
            continue
        if options.max_features is not None and len(chosen) >= options.max_features:
            reasons[name] = f"beyond the {options.max_features} strongest"
            continue
        chosen.append(name)
    if not chosen:
        raise ModelDataError(f"no characteristic has an IV of at least {options.min_iv:g}: nothing predicts "
                             f"{options.target} in this data")
    while True:
        matrix = np.column_stack([woes[n] for n in chosen])
        model = LogisticRegression(C=1e4, max_iter=2000)
        model.fit(matrix, y[rows], sample_weight=w[rows])
        coefs = model.coef_[0]
        wrong = [n for n, c in zip(chosen, coefs, strict=True) if c > 0]  # a safer bin must not raise the risk
        if not wrong or len(chosen) == 1:
            break
        worst = max(wrong, key=lambda n: coefs[chosen.index(n)])
        reasons[worst] = "coefficient of the wrong sign alongside the others"
        chosen.remove(worst)
    candidates = [CandidateRow(n, kinds[n], binnings[n].iv, iv_strength(binnings[n].iv), n in chosen,
                               "selected" if n in chosen else reasons.get(n, "")) for n in ranked]
    return {"binnings": binnings, "chosen": chosen, "intercept": float(model.intercept_[0]),
            "coefs": dict(zip(chosen, (float(c) for c in coefs), strict=True)), "candidates": candidates,
            "train_rows": rows, "train_y": y[rows], "train_w": w[rows]}


def _corr(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> float:
    am, bm = np.average(a, weights=w), np.average(b, weights=w)
    cov = np.average((a - am) * (b - bm), weights=w)
    var = math.sqrt(np.average((a - am) ** 2, weights=w) * np.average((b - bm) ** 2, weights=w))
    return float(cov / var) if var > 0 else 0.0


def _fit_pd(fit: dict, columns: dict, rows: np.ndarray) -> np.ndarray:
    """The fitted model's PD for `rows` (before points are rounded)."""
    eta = fit["intercept"] + sum(c * woe_column(fit["binnings"][n], columns[n][rows]) for n, c in fit["coefs"].items())
    return 1 / (1 + np.exp(-eta))


def _reject_inference(checked, kinds, columns, y, fit, train_rows, rejects, options, inference):
    """Refit with the applicants without an outcome, given outcomes by parcelling or fuzzy augmentation."""
    pd_rejects = _fit_pd(fit, columns, rejects)
    if options.reject_inference == "fuzzy":
        rows = np.concatenate([train_rows, rejects, rejects])
        y_aug = np.concatenate([y[train_rows], np.ones(len(rejects)), np.zeros(len(rejects))])
        w_aug = np.concatenate([np.ones(len(train_rows)), pd_rejects, 1 - pd_rejects])
    else:  # parcelling: the bad rate of known outcomes in the reject's score decile
        pd_known = _fit_pd(fit, columns, train_rows)
        edges = np.quantile(pd_known, np.linspace(0, 1, 11)[1:-1])
        band_known, band_rejects = np.searchsorted(edges, pd_known), np.searchsorted(edges, pd_rejects)
        rates = np.array([y[train_rows][band_known == b].mean() if (band_known == b).any() else pd_known.mean()
                          for b in range(10)])
        rng = np.random.default_rng(options.seed)
        rows = np.concatenate([train_rows, rejects])
        y_aug = np.concatenate([y[train_rows], (rng.random(len(rejects)) < rates[band_rejects]).astype(float)])
        w_aug = np.ones(len(rows))
    # the bins stay those learnt on known outcomes; WOE, selection and coefficients are refit
    index = {name: columns[name][rows] for name in kinds}
    refit_bins = {}
    for name, b in fit["binnings"].items():
        refit_bins[name] = _rewoe(b, index[name], y_aug, w_aug)
    aug_columns = {name: index[name] for name in kinds}
    aug_rows = np.arange(len(rows))
    new = _fit(checked, kinds, aug_columns, y_aug, w_aug, aug_rows, options, refit_bins)
    inference = dict(inference, rows_added=int(len(rejects)))
    new["train_rows"] = rows
    return new, inference


def _rewoe(b: Binning, x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Binning:
    """The same bins with counts, WOE and IV recomputed on other (weighted) rows."""
    import copy

    from validation.model.binning import SMOOTHING

    out = copy.deepcopy(b)
    if b.kind == "numeric":
        present = ~np.isnan(x)
        uppers = np.array([s.upper for s in b.bins[:-1]], dtype=float)
        index = np.full(len(x), -1)
        index[present] = np.searchsorted(uppers, x[present], side="right")
    else:
        table = {v: i for i, s in enumerate(b.bins) for v in s.values}
        index = np.array([table.get(v, -1) if v is not None else -1 for v in x])
    all_bins = out.bins + ([out.missing] if out.missing is not None else [])
    keys = list(range(len(out.bins))) + ([-1] if out.missing is not None else [])
    total_bads = float((w * y).sum())
    total_goods = float(w.sum()) - total_bads
    out.iv = 0.0
    for key, s in zip(keys, all_bins, strict=True):
        mask = index == key
        s.count, s.bads = float(w[mask].sum()), float((w * y)[mask].sum())
        db = (s.bads + SMOOTHING) / (total_bads + SMOOTHING)
        dg = (s.goods + SMOOTHING) / (total_goods + SMOOTHING)
        s.woe = math.log(dg / db)
        out.iv += (dg - db) * s.woe
    return out


# --- writing the spec ------------------------------------------------------------------------------------

def _write(checked: CheckedSpec, fit: dict, options: TrainOptions):
    """The spec with the fitted scorecard (points, reason codes, scaling from the fit, calibration)."""
    spec = checked.spec
    declared = spec.scorecard.scaling
    base_score = declared.base_score if options.base_score is None else options.base_score
    base_odds = float(declared.base_odds) if options.base_odds is None else options.base_odds
    pdo = float(declared.pdo) if options.pdo is None else options.pdo
    factor = pdo / math.log(2)
    offset = base_score - factor * math.log(base_odds)
    labels = {f.name: f.label for f in spec.fields} | {d.name: d.label for d in spec.derived}
    card_spec = spec.scorecard
    kept = card_spec.second.characteristics if options.model == "first" and card_spec.second is not None \
        else card_spec.characteristics if options.model == "second" else []
    taken = {r.code for r in checked.reasons() if r.source != "scorecard"} | {ch.reason_code for ch in kept}
    codes = _reason_codes(len(fit["chosen"]), taken)
    characteristics, binnings = [], []
    for name, code in zip(fit["chosen"], codes, strict=True):
        b, coef = fit["binnings"][name], fit["coefs"][name]
        for s in b.all_bins():
            s.points = int(round(-factor * coef * s.woe))
        ch = {"field": name, "bins": [_bin_spec(s, b.kind) for s in b.bins], "reason_code": code,
              "reason": {"zh": f"{labels[name].zh}拉低了评分", "en": f"{labels[name].en} lowered the score"}}
        if checked.scope[name].nullable:
            ch["missing_points"] = b.missing.points if b.missing is not None else 0
        characteristics.append(ch)
        binnings.append(b)
    data = spec.model_dump(mode="python", exclude_none=True)
    card = data["scorecard"]
    card.pop("calibration", None)
    if options.model == "second":
        card = card["second"]
    card["base_points"] = int(round(offset - factor * fit["intercept"]))
    card["characteristics"] = characteristics
    return ProductSpec.model_validate(data), binnings, base_score


def _reason_codes(n: int, taken: set[str]) -> list[str]:
    out, i = [], 1
    while len(out) < n:
        code = f"S{i:02d}"
        if code not in taken:
            out.append(code)
        i += 1
    return out


def _bin_spec(s, kind: str) -> dict:
    if kind == "category":
        return {"values": list(s.values), "points": s.points}
    out = {}
    if s.lower is not None:
        out["lower"] = _decimal(s.lower)
    if s.upper is not None:
        out["upper"] = _decimal(s.upper)
    out["points"] = s.points
    return out


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value))).normalize() if value != int(value) else Decimal(int(value))


def _finish_spec(checked: CheckedSpec, spec: ProductSpec, frame: pd.DataFrame, scores: np.ndarray,
                 train_rows: np.ndarray, model: str = "first") -> tuple[ProductSpec, list[str]]:
    """Band cut-offs (the second scorecard's grade cut-offs, when it was trained) keeping each band's share of
    the training applicants, the product version bumped and the example tests' expectations re-derived from
    the new scorecard (their changes listed)."""

    old_card = checked.spec.scorecard if model == "first" else checked.spec.scorecard.second
    old_scores = score_frame(old_card, frame)[train_rows]
    new_scores = scores[train_rows]
    data = spec.model_dump(mode="python", exclude_none=True)
    bands = data["decision"]["bands"] if model == "first" else data["scorecard"]["second"]["grades"]
    previous = None
    for band in bands[:-1]:
        share = float(np.mean(old_scores >= band["min_score"]))
        cut = int(math.ceil(np.quantile(new_scores, min(max(1 - share, 0.0), 1.0)))) if len(new_scores) else 0
        if previous is not None and cut >= previous:
            cut = previous - 1
        band["min_score"] = previous = cut
    major, minor, _ = (int(p) for p in data["product"]["version"].split("."))
    data["product"]["version"] = f"{major}.{minor + 1}.0"
    return rederive_examples(ProductSpec.model_validate(data))


def rederive_examples(spec: ProductSpec) -> tuple[ProductSpec, list[str]]:
    """`spec` with its example tests' expectations re-derived from its own decisions (after training or
    new cut-offs changed what the examples get), and one line per example that changed."""
    from product_specs import check_spec

    report = check_spec(spec)
    if report.checked is None or not spec.tests:
        return spec, []
    from generators.decision import decision_module, plain_applicant

    data = spec.model_dump(mode="python", exclude_none=True)
    module = decision_module(report.checked)
    changed = []
    for test in data["tests"]:
        try:
            got = module.decide(plain_applicant(test["applicant"]), trace=False)
        except module.InputError:
            continue
        expect = test["expect"]
        before = {k: expect.get(k) for k in ("decision", "segment", "band", "score", "reasons", "limit", "apr")
                  if k in expect}
        for key in before:
            value = got[key]
            expect[key] = [r["code"] for r in value] if key == "reasons" else value
        after = {k: expect[k] for k in before}
        if _plain(before) != _plain(after):
            changed.append(f"{test['name']}: " + ", ".join(f"{k} {_plain(before[k])} -> {_plain(after[k])}"
                                                           for k in before if _plain(before[k]) != _plain(after[k])))
    return ProductSpec.model_validate(data), changed


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "value"):
        return value.value
    return value


# --- scoring --------------------------------------------------------------------------------------------

def score_frame(card, frame: pd.DataFrame) -> np.ndarray:
    """The score of every row of `frame` (fields and derived features) under scorecard `card` (a product's
    scorecard or its second), as the compiled decision computes it (bins [lower, upper), categories, missing
    points)."""
    total = np.full(len(frame), card.base_points, dtype=np.int64)
    for ch in card.characteristics:
        column = frame[ch.field]
        if ch.bins[0].values is not None:
            table = {v: b.points for b in ch.bins for v in b.values}
            values = column.astype("object")
            points = np.array([ch.missing_points if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
                               else table.get(str(v), ch.missing_points) for v in values], dtype=np.int64)
        else:
            x = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            uppers = np.array([float(b.upper) for b in ch.bins[:-1]], dtype=float)
            table = np.array([b.points for b in ch.bins], dtype=np.int64)
            present = ~np.isnan(x)
            points = np.full(len(x), ch.missing_points, dtype=np.int64)
            points[present] = table[np.searchsorted(uppers, x[present], side="right")]
        total += points
    return total
