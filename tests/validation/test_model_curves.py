"""The model figures of a simulation (AUC, KS, ROC and KS curves) counted per distinct score are the ones
computed over every applicant: the counting only saves the memory and time of 10M rows."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score, roc_curve

from validation.model import model_report as mr


def _reference(scores, y, w=None):
    risk = -scores
    auc = roc_auc_score(y, risk, sample_weight=w)
    fpr, tpr, _ = roc_curve(y, risk, sample_weight=w)
    pick = np.unique(np.linspace(0, len(fpr) - 1, mr.CURVE_POINTS).round().astype(int))
    roc = [(float(fpr[i]), float(tpr[i])) for i in pick]
    order = np.sort(scores)
    grid = np.unique(np.quantile(scores, np.linspace(0, 1, mr.CURVE_POINTS)))
    ranked = np.argsort(scores, kind="stable")
    cum_bad, cum_good = np.cumsum(y[ranked]), np.cumsum((1 - y)[ranked])
    idx = np.searchsorted(order, grid, side="right") - 1
    ks = [(float(g), float(cum_bad[i] / y.sum()), float(cum_good[i] / (1 - y).sum())) for g, i in zip(grid, idx, strict=True)]
    return auc, float(np.max(tpr - fpr)), roc, ks


@pytest.mark.parametrize("kind", ["scorecard points", "few decimals", "continuous"])
def test_counted_figures_equal_the_row_by_row_ones(kind):
    rng = np.random.default_rng(7)
    n = 20_000
    if kind == "scorecard points":
        scores = rng.integers(350, 800, n).astype(float)
    elif kind == "few decimals":
        scores = rng.integers(0, 400, n) / 4
    else:
        scores = rng.normal(600, 50, n)
    y = (rng.random(n) < 1 / (1 + np.exp((scores - np.median(scores)) / np.std(scores)))).astype(float)
    auc, ks, roc, ks_curve = _reference(scores, y)
    quality = mr.model_quality(scores, y)
    assert quality.auc == pytest.approx(auc, abs=1e-12) and quality.ks == pytest.approx(ks, abs=1e-12)
    assert np.allclose(mr.roc_points(scores, y), roc, rtol=0, atol=1e-12)
    assert np.allclose(mr.ks_points(scores, y), ks_curve, rtol=0, atol=1e-12)
    w = rng.random(n)
    assert mr.model_quality(scores, y, w).auc == pytest.approx(roc_auc_score(y, -scores, sample_weight=w), abs=1e-12)


def test_labels_and_numbers_of_arrow_columns():
    import pyarrow as pa

    text = pa.chunked_array([pa.array(["a", "b", None]), pa.array(["a"])])
    coded = pa.chunked_array([pa.array(["x", "y"]).dictionary_encode(), pa.array(["y"]).dictionary_encode()])
    assert mr.labels(text).tolist() == ["a", "b", None, "a"] and mr.labels(coded).tolist() == ["x", "y", "y"]
    assert np.isnan(mr.numbers(pa.chunked_array([pa.array([1, None])]))).tolist() == [False, True]
