"""The value a numeric field takes at each normal score: its marginal distribution, built from the
declared median, quantiles and family (or the defaults by type, unit and range).

Every marginal maps a standard normal score `z` to a value, monotonically, so that a standard normal `z`
gives exactly the declared quantiles; the dependence between fields lives in the scores (a Gaussian
copula), never in the marginals.

- continuous families (normal, lognormal, logitnormal): piecewise linear in (z, transformed value)
  through the declared quantiles, continued beyond the outermost ones with the slope of the nearest
  segment (one quantile: the family's spread);
- uniform: piecewise linear in (share, value) between min, the quantiles and max;
- count: a negative binomial (mean, dispersion) fitted to the declared mean or quantiles, read off its
  cumulative table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from product_specs.sections import Family

__all__ = ["Marginal", "Continuous", "Uniform", "Count", "normal_cdf", "normal_score", "count_fit"]

_NORMAL = NormalDist()
_COUNT_TABLE = 100_000  # counts are tabulated up to this value at most


def normal_cdf(z: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return ndtr(z)


def normal_score(p: np.ndarray) -> np.ndarray:
    from scipy.special import ndtri

    return ndtri(np.clip(p, 1e-15, 1 - 1e-15))


class Marginal:
    """A field's value at each normal score."""

    family: Family
    low: float | None
    high: float | None

    def value(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def quantile(self, p: float) -> float:
        return float(self.value(np.array([_NORMAL.inv_cdf(p)]))[0])

    def describe(self) -> str:
        raise NotImplementedError


def _clip(x: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
    return np.clip(x, low, high) if low is not None or high is not None else x


@dataclass
class Continuous(Marginal):
    """normal, lognormal or logitnormal through knots (z, transformed value)."""

    family: Family
    knots_z: np.ndarray
    knots_t: np.ndarray
    low_slope: float
    high_slope: float
    low: float | None = None
    high: float | None = None
    logit_low: float = 0.0  # logitnormal: the range its shares map into
    logit_high: float = 1.0

    def transform(self, x: np.ndarray) -> np.ndarray:
        if self.family is Family.LOGNORMAL:
            return np.log(x)
        if self.family is Family.LOGITNORMAL:
            share = (x - self.logit_low) / (self.logit_high - self.logit_low)
            return np.log(share / (1 - share))
        return np.asarray(x, dtype=float)

    def inverse(self, t: np.ndarray) -> np.ndarray:
        if self.family is Family.LOGNORMAL:
            return np.exp(np.minimum(t, 700))
        if self.family is Family.LOGITNORMAL:
            return self.logit_low + (self.logit_high - self.logit_low) / (1 + np.exp(-np.clip(t, -700, 700)))
        return t

    def value(self, z: np.ndarray) -> np.ndarray:
        kz, kt = self.knots_z, self.knots_t
        t = np.interp(z, kz, kt)
        t = np.where(z < kz[0], kt[0] + (z - kz[0]) * self.low_slope, t)
        t = np.where(z > kz[-1], kt[-1] + (z - kz[-1]) * self.high_slope, t)
        return _clip(self.inverse(t), self.low, self.high)

    def describe(self) -> str:
        return self.family.value


@dataclass
class Uniform(Marginal):
    """Piecewise uniform: linear in the share of applicants between (0, low), the quantiles and (1, high)."""

    shares: np.ndarray
    values: np.ndarray
    low: float | None = None
    high: float | None = None
    family: Family = Family.UNIFORM

    def value(self, z: np.ndarray) -> np.ndarray:
        return np.interp(normal_cdf(z), self.shares, self.values)

    def describe(self) -> str:
        return "uniform"


@dataclass
class Count(Marginal):
    """Negative binomial counts with mean `mean` and dispersion `k` (variance mean + mean**2 / k)."""

    mean: float
    k: float
    cdf: np.ndarray
    low: float | None = None
    high: float | None = None
    family: Family = Family.COUNT

    @classmethod
    def of(cls, mean: float, k: float, low: float | None, high: float | None) -> Count:
        return cls(mean, k, _nb_cdf(mean, k, high), low, high)

    def value(self, z: np.ndarray) -> np.ndarray:
        u = normal_cdf(z)
        counts = np.searchsorted(self.cdf, u, side="left").astype(float)
        if self.cdf[-1] < 1 - 1e-9:  # beyond the table (a very large mean): the quantile function itself
            beyond = u > self.cdf[-1]
            counts[beyond] = _nb_quantile(u[beyond], self.k, self.k / (self.k + self.mean))
        return _clip(counts, self.low, self.high)

    def describe(self) -> str:
        return f"count (mean {_short(self.mean)}, dispersion {_short(self.k)})"


def nb_cdf_at(q, k, p):
    """P(X <= q) of a negative binomial with dispersion k and success probability p = k / (k + mean)
    (the regularised incomplete beta function I_p(k, q + 1)); 0 below 0."""
    from scipy.special import betainc

    q = np.asarray(q, dtype=float)
    return np.where(q < 0, 0.0, betainc(k, np.maximum(q, 0) + 1, p))


def _nb_quantile(u: np.ndarray, k: float, p: float) -> np.ndarray:
    """Smallest counts whose cumulative probability reaches `u` (bisection)."""
    low = np.zeros(len(u))
    high = np.full(len(u), 1e18)
    for _ in range(70):
        mid = np.floor((low + high) / 2)
        below = nb_cdf_at(mid, k, p) < u
        low = np.where(below, mid + 1, low)
        high = np.where(below, high, mid)
    return low


def _short(x: float) -> str:
    return f"{x:.3g}"


def _nb_log_pmf(n: np.ndarray, mean: np.ndarray, k: np.ndarray) -> np.ndarray:
    from scipy.special import gammaln

    p = k / (k + mean)
    return gammaln(n + k) - gammaln(k) - gammaln(n + 1) + k * np.log(p) + n * np.log1p(-p)


def _nb_cdf(mean: float, k: float, high: float | None) -> np.ndarray:
    """Cumulative probabilities of 0, 1, 2, ... up to the field's max or the far tail."""
    mean = max(mean, 1e-9)
    spread = math.sqrt(mean + mean * mean / k)
    top = int(min(mean + 40 * spread + 40, _COUNT_TABLE, high if high is not None else _COUNT_TABLE))
    n = np.arange(top + 1, dtype=float)
    return np.minimum(np.cumsum(np.exp(_nb_log_pmf(n, np.float64(mean), np.float64(k)))), 1.0)


def count_fit(knots: list[tuple[float, float]], mean: float | None) -> tuple[float, float]:
    """(mean, dispersion) of the negative binomial closest to the declared quantiles (and mean).

    A value q is a p-quantile of a count when P(X <= q - 1) < p <= P(X <= q): the fit minimises how far
    each declared quantile is from that band, preferring a dispersion near 3 among equal fits.
    """
    if not knots:
        return (mean if mean is not None else 1.0), 3.0
    top = max(v for _, v in knots)
    means = np.array([mean]) if mean is not None else np.geomspace(0.005, max(top, 1) * 4 + 1, 80)
    ks = np.geomspace(0.05, 200, 40)
    m, k = (a.ravel() for a in np.meshgrid(np.maximum(means, 1e-9), ks, indexing="ij"))
    p_success = k / (k + m)
    miss = np.zeros(len(m))
    for p, q in knots:
        upper = nb_cdf_at(float(q), k, p_success)
        lower = nb_cdf_at(float(q) - 1, k, p_success)
        miss += np.maximum(0, p - upper) ** 2 + np.maximum(0, lower - p) ** 2
    score = miss + 1e-6 * np.log(k / 3) ** 2
    best = int(np.argmin(score))
    return float(m[best]), float(k[best])
