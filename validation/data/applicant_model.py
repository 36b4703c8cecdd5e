"""The hidden applicant model behind sample data: latent risk, fraud rings, and the truth (outcomes).

Every applicant has a latent risk `r` (standard normal, higher = riskier); some belong to a fraud ring.
Fields are drawn from these as their declarations say (sample_plan.py, sample_fields.py); outcomes depend
on the latent risk and ring membership only, never on the spec's rules or scorecard, so a strategy that
reads the fields the way their declarations link them to risk separates good applicants from bad.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from validation.data.sample_plan import NOISE_SD, RING_EFFECT, RISK_EFFECT, SampleModel

__all__ = ["Applicants", "Column", "calibrate", "outcomes", "probabilities", "sigmoid"]

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
        return np.random.default_rng([self.seed, self.chunk, zlib.crc32(name.encode())])

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

def _log_odds(pop: Applicants) -> np.ndarray:
    noise = pop.stream("truth:noise").standard_normal(pop.n)
    return RISK_EFFECT * pop.risk + RING_EFFECT * pop.in_ring + NOISE_SD * noise


def calibrate(model: SampleModel) -> float:
    """Intercept of the hidden log-odds that gives the population's bad rate (Gauss-Hermite, no sampling)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()
    spread = float(np.hypot(RISK_EFFECT, NOISE_SD))
    ring = model.population.fraud_ring_share
    target = model.population.bad_rate
    low, high = -30.0, 10.0
    for _ in range(80):
        mid = (low + high) / 2
        rate = weights @ ((1 - ring) * sigmoid(mid + spread * nodes) + ring * sigmoid(mid + RING_EFFECT + spread * nodes))
        if rate > target:
            high = mid
        else:
            low = mid
    return (low + high) / 2


def probabilities(pop: Applicants, intercept: float) -> np.ndarray:
    """Each applicant's hidden probability of going bad (from latent risk and ring membership only)."""
    return sigmoid(intercept + _log_odds(pop))


def outcomes(pop: Applicants, intercept: float) -> dict[str, np.ndarray]:
    """bad_flag (M3+ within 12 months), max_dpd_12m and loss_given_default from the hidden truth."""
    rng = pop.stream("truth:outcomes")
    pd_true = probabilities(pop, intercept)
    bad = rng.random(pop.n) < pd_true
    # good loans: most never late; some reach M1-M3 and cure
    late = rng.random(pop.n) < np.clip(0.05 + 5 * pd_true, 0, 0.6)
    bucket = rng.choice(3, pop.n, p=[0.75, 0.17, 0.08])
    cured = 1 + bucket * 30 + np.floor(rng.random(pop.n) * 30)
    severe = 91 + np.minimum(np.floor(rng.exponential(70, pop.n)), 270)
    dpd = np.where(bad, severe, np.where(late, cured, 0)).astype(np.int64)
    lgd_mean = np.clip(pop.model.population.loss_given_default + 0.04 * pop.risk, 0.15, 0.9)
    lgd = rng.beta(lgd_mean * 8, (1 - lgd_mean) * 8)
    return {"bad_flag": bad.astype(np.int64), "max_dpd_12m": dpd, "loss_given_default": np.round(lgd, 4)}
