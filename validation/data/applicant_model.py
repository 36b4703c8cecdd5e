"""The hidden applicant model behind sample data: latent risk, fraud rings, and the truth (outcomes).

Every applicant has a latent risk `r` (standard normal, higher = riskier); some belong to a fraud ring.
Fields are drawn from these as their declarations say (sample_plan.py, sample_fields.py); outcomes depend
on the latent risk as the fields show it (`Truth`: E[r | observed fields]) and on ring membership, never on
the spec's rules or scorecard, so a strategy that reads the fields the way their declarations link them to
risk separates good applicants from bad, and the best model of the fields can reach the truth.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from validation.data.sample_plan import NOISE_SD, RING_EFFECT, RISK_EFFECT, SampleModel

__all__ = ["Applicants", "Column", "Truth", "calibrate", "outcomes", "probabilities", "sigmoid", "FIT_ROWS", "FIT_SEED"]

_RING_SIZES = (3, 10)  # members of a ring: 3 to 9


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@dataclass
class Column:
    """One drawn field of a chunk: values (float, bool or object), empty rows, and its latent score."""

    values: np.ndarray
    nulls: np.ndarray
    score: np.ndarray | None = None


class Applicants:
    """One chunk of synthetic applicants: latent factors and the fields drawn so far.

    Each factor and field draws from its own random stream (seed, chunk, name), so adding a field to a
    spec does not change the values of the others.
    """

    def __init__(self, model: SampleModel, n: int, seed: int, chunk: int, start: int):
        self.model, self.n, self.seed, self.chunk, self.start = model, n, seed, chunk, start
        self.risk = self.stream("latent").standard_normal(n)
        self.ring_id, self.ring_size, self.ring_shows = self._rings(model.population.fraud_ring_share)
        self.columns: dict[str, Column] = {}

    def stream(self, name: str) -> np.random.Generator:
        """The random stream of one factor or field: by seed, chunk, name and product (two products drawn
        with the same seed are different people)."""
        product = zlib.crc32(self.model.spec.product.id.encode())
        return np.random.default_rng([self.seed, self.chunk, zlib.crc32(name.encode()), product])

    def _rings(self, share: float):
        """Fraud rings: small groups of applicants; `shows` is one uniform per ring, compared with each
        field's `in_rings` (so the rings a field shows are among those a field with a larger share shows)."""
        rng = self.stream("rings")
        ring_id = np.full(self.n, -1)
        size = np.zeros(self.n, dtype=np.int64)
        target = int(self.n * share)
        sizes: list[int] = []
        while sum(sizes) < target:
            sizes.append(int(rng.integers(*_RING_SIZES)))
        if not sizes or sum(sizes) > self.n:
            return ring_id, size, np.zeros(0)
        members = rng.choice(self.n, sum(sizes), replace=False)
        at = 0
        for r, s in enumerate(sizes):
            idx = members[at:at + s]
            ring_id[idx], size[idx] = r, s
            at += s
        return ring_id, size, rng.random(len(sizes))

    @property
    def in_ring(self) -> np.ndarray:
        return self.ring_id >= 0

    def shown_by(self, share: float) -> np.ndarray:
        """Ring members whose ring shows in a field with `in_rings: share`."""
        if share <= 0 or not len(self.ring_shows):
            return np.zeros(self.n, dtype=bool)
        return self.in_ring & (self.ring_shows[np.maximum(self.ring_id, 0)] < share)

    def first_member(self) -> np.ndarray:
        """Per row, the row of its ring's first member (itself outside rings)."""
        rows = np.arange(self.n)
        if not self.in_ring.any():
            return rows
        ids = self.ring_id[self.in_ring]
        order = np.argsort(ids, kind="stable")
        first = {}
        for row, ring in zip(rows[self.in_ring][order], ids[order], strict=True):
            first.setdefault(int(ring), int(row))
        out = rows.copy()
        out[self.in_ring] = [first[int(r)] for r in ids]
        return out


# the truth -------------------------------------------------------------------------------------------------
#
# An applicant's hidden log-odds of going bad read the latent risk only through what the data shows:
# r_hat = E[r | the observed fields], the best linear prediction of r from each field's observed value
# (numbers through their normal scores, the scale on which fields are linked to r; booleans and categories
# by level; empty values as their own level), fitted once per product on an internal draw. So the truth is a function of the observed fields (plus
# fraud-ring membership and noise), and a scorecard of those fields can come as close to it as its bins
# allow: the ground truth a trained scorecard is judged against.

FIT_ROWS = 40_000
FIT_SEED = 20_261_203
_GRID = np.linspace(0.0025, 0.9975, 200)
_GRID_Z = None  # the standard normal scores of _GRID, made on first use
_RIDGE = 1e-4


@dataclass(frozen=True)
class Truth:
    """r_hat of every applicant from their observed fields, and its variance (the share of the latent
    risk the fields explain)."""

    edges: dict[str, np.ndarray]     # number field -> its values at the quantiles _GRID (of the fitting draw)
    levels: dict[str, tuple]         # boolean / category field -> its levels
    coef: np.ndarray                 # one per feature column, in `features` order, then the constant
    explained: float                 # variance of r_hat (R^2 of the fit)

    @classmethod
    def fit(cls, columns: dict[str, np.ndarray], kinds: dict[str, str], risk: np.ndarray) -> Truth:
        edges, levels = {}, {}
        for name, kind in kinds.items():
            values = columns[name]
            if kind == "number":
                x = np.asarray(values, dtype=float)
                x = x[~np.isnan(x)]
                edges[name] = np.quantile(x, _GRID) if len(x) else np.zeros(0)
            else:
                levels[name] = tuple(sorted({v for v in _objects(values) if v is not None}, key=str))
        empty = cls(edges, levels, np.zeros(0), 0.0)
        x = empty.features(columns)
        x = np.column_stack([x, np.ones(len(risk))])
        gram = x.T @ x + _RIDGE * len(risk) * np.eye(x.shape[1])
        coef = np.linalg.solve(gram, x.T @ risk)
        fitted = x @ coef
        return cls(edges, levels, coef, float(np.var(fitted)))

    def features(self, columns: dict[str, np.ndarray]) -> np.ndarray:
        """Per number field its normal score (the value's quantile in the fitting draw, as a standard normal
        score: monotone in the value) and an indicator of empty values; per boolean or category field one
        indicator per level but the first, and one of empty values."""
        n = len(next(iter(columns.values()))) if columns else 0
        out = []
        for name, knots in self.edges.items():
            x = np.asarray(columns[name], dtype=float)
            empty = np.isnan(x)
            z = _normal_scores(x, knots) if len(knots) else np.zeros(n)
            out += [np.where(empty, 0.0, z), empty]
        for name, levels in self.levels.items():
            codes, empty = _codes(columns[name], levels)
            out += [codes == i for i in range(1, len(levels))] + [empty]
        return np.column_stack(out).astype(float) if out else np.zeros((n, 0))

    def risk(self, columns: dict[str, np.ndarray]) -> np.ndarray:
        x = self.features(columns)
        return x @ self.coef[:-1] + self.coef[-1]


def _normal_scores(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Values as standard normal scores through the knots (values at the quantiles _GRID), linear between
    knots; ties (a count's repeated values) take the middle of their quantiles."""
    global _GRID_Z
    if _GRID_Z is None:
        from scipy.special import ndtri

        _GRID_Z = ndtri(_GRID)
    distinct, first = np.unique(knots, return_index=True)
    last = len(knots) - 1 - np.unique(knots[::-1], return_index=True)[1]
    z = (_GRID_Z[first] + _GRID_Z[last]) / 2
    if len(distinct) == 1:
        return np.zeros(len(x))
    return np.interp(np.nan_to_num(x, nan=distinct[0]), distinct, z)


def _codes(values, levels: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Each value's position among `levels` (-1 for an empty or unknown value), and where it is empty."""
    import pandas as pd

    array = pd.array(values)
    return np.asarray(pd.Categorical(array, categories=list(levels)).codes), np.asarray(pd.isna(array))


def _objects(values) -> np.ndarray:
    """Values as an object array with None for empty (pandas NA, NaN)."""
    import pandas as pd

    out = np.asarray(pd.array(values).astype(object), dtype=object)
    out[pd.isna(out)] = None
    return out


def calibrate(truth: Truth, risk_hat: np.ndarray, ring: np.ndarray, bad_rate: float) -> float:
    """Intercept of the hidden log-odds that gives the population's bad rate on the fitting draw
    (Gauss-Hermite over the noise, no sampling)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    weights = weights / weights.sum()
    base = RISK_EFFECT * risk_hat + RING_EFFECT * ring
    low, high = -30.0, 10.0
    for _ in range(80):
        mid = (low + high) / 2
        rate = float(np.mean(sigmoid(mid + base[:, None] + NOISE_SD * nodes[None, :]) @ weights))
        if rate > bad_rate:
            high = mid
        else:
            low = mid
    return (low + high) / 2


def probabilities(pop: Applicants, truth: Truth, intercept: float, columns: dict[str, np.ndarray],
                  rings: bool = True) -> np.ndarray:
    """Each applicant's hidden probability of going bad: from their observed fields (through the latent
    risk they show), ring membership and noise. `rings=False`: the credit risk alone, as if no applicant
    were in a fraud ring (what a model of the fields can reach: membership shows only in network data)."""
    noise = pop.stream("truth:noise").standard_normal(pop.n)
    ring = RING_EFFECT * pop.in_ring if rings else 0.0
    return sigmoid(intercept + RISK_EFFECT * truth.risk(columns) + ring + NOISE_SD * noise)


def outcomes(pop: Applicants, pd_true: np.ndarray) -> dict[str, np.ndarray]:
    """bad_flag (M3+ within 12 months), max_dpd_12m, loss_given_default, fraud_flag (a fraud-ring member
    who went bad: took the money and never repaid) and true_pd_12m (the probability bad_flag was drawn
    from: post-loan ageing draws each loan's months from it) from the hidden truth."""
    rng = pop.stream("truth:outcomes")
    bad = rng.random(pop.n) < pd_true
    # good loans: most never late; some reach M1-M3 and cure
    late = rng.random(pop.n) < np.clip(0.05 + 5 * pd_true, 0, 0.6)
    bucket = rng.choice(3, pop.n, p=[0.75, 0.17, 0.08])
    cured = 1 + bucket * 30 + np.floor(rng.random(pop.n) * 30)
    severe = 91 + np.minimum(np.floor(rng.exponential(70, pop.n)), 270)
    dpd = np.where(bad, severe, np.where(late, cured, 0)).astype(np.int64)
    lgd_mean = np.clip(pop.model.population.loss_given_default + 0.04 * pop.risk, 0.15, 0.9)
    lgd = rng.beta(lgd_mean * 8, (1 - lgd_mean) * 8)
    fraud = bad & pop.in_ring
    lgd = np.where(fraud, np.minimum(0.9 + 0.1 * rng.random(pop.n), 1.0), lgd)  # nothing is recovered from fraud
    return {"bad_flag": bad.astype(np.int64), "max_dpd_12m": dpd, "loss_given_default": np.round(lgd, 4),
            "fraud_flag": fraud.astype(np.int64), "true_pd_12m": np.round(pd_true, 6)}
