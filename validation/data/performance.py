"""The hidden post-loan performance of a book of loans: each loan's month-by-month roll between current,
missed instalments (M1, M2, ...) and write-off, prepayment and pay-off, and its monitoring fields.

This is the truth post-loan ageing draws from (validation.analysis.post_loan), as applicant_model.py is
the truth behind application outcomes. A loan's behaviour depends on one number: its probability of
going M3+ (over 90 days past due) within 12 months, `pd_12m` (for sample data the generator's hidden
truth, column `true_pd_12m`; for a bank's own file the product's model PD).

The monthly chain, by `k`, the number of instalments a loan is behind (its days past due at month end
are `30 * k - offset`, with a per-loan offset of 0-29 days: k = 1 is M1, k = 4 the first month past 90):

- current (k = 0): misses an instalment with probability `hazard` (k -> 1), else prepays in full with
  probability PREPAYMENT, else pays; after its last instalment it is paid off;
- behind (k >= 1): rolls (misses another, k + 1) with probability `roll[k]`, cures (pays every arrear,
  k -> 0) with `cure[k]`, else pays one instalment and stays k behind (after maturity: pays one arrear,
  k - 1);
- written off once its days past due exceed the product's `write_off_days`.

Roll and cure probabilities rise and fall with the loan's risk (logit of pd_12m); the hazard is solved
per loan so that the chain's probability of reaching M3+ within 12 months (with prepayment, before
maturity) is exactly pd_12m: a book aged by this chain reproduces the application truth.

Monitoring fields are drawn each month for active loans from their `distribution` declarations, moved by
the loan's distress: its standing risk plus a shock in the LEAD months before it falls behind and while
it is behind, so early warnings can fire ahead of M1 (as multiple borrowing and falling sales do).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from validation.data.marginals import normal_score
from validation.data.sample_plan import FieldPlan

__all__ = ["PREPAYMENT", "HORIZON", "LEAD", "STATUS", "Paths", "roll_and_cure", "hazard_for",
           "ever_m3plus_within", "draw_paths", "monitoring_values", "balance_after"]

PREPAYMENT = 0.012              # monthly probability a current loan is repaid early in full
HORIZON = 12                    # pd_12m: M3+ within this many months
M3PLUS_K = 4                    # instalments behind at which days past due first exceed 90
LEAD = 3                        # months before falling behind in which monitoring fields show distress
DISTRESS_SHOCK = 2.0            # distress added in those months (standard deviations of the latent score)
_REFERENCE_LOGIT = float(np.log(0.03 / 0.97))
_RISK_SLOPE = 0.45              # log-odds of rolling per unit of logit(pd_12m) above a 3% loan's
# from k = 1, 2, 3 and 4+: (roll probability of a 3% loan, share of the rest that cures in full)
_ROLLS = ((0.30, 0.70), (0.55, 0.50), (0.75, 0.35), (0.90, 0.15))
_MAX_K = 60

# status codes of a loan at a month end
ACTIVE, PREPAID, PAID_OFF, WRITTEN_OFF = 0, 1, 2, 3
STATUS = {ACTIVE: "active", PREPAID: "prepaid", PAID_OFF: "paid_off", WRITTEN_OFF: "written_off"}


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def roll_and_cure(pd_12m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per loan, the probabilities of rolling and of curing from k = 1, 2, 3 and 4+ instalments behind:
    two arrays of shape (loans, 4)."""
    shift = _RISK_SLOPE * (_logit(np.asarray(pd_12m, dtype=float)) - _REFERENCE_LOGIT)
    roll = np.column_stack([_sigmoid(_logit(r) + shift) for r, _ in _ROLLS])
    cure = np.column_stack([(1 - roll[:, j]) * c for j, (_, c) in enumerate(_ROLLS)])
    return roll, cure


def ever_m3plus_within(hazard: np.ndarray, roll: np.ndarray, cure: np.ndarray, months: int = HORIZON
                       ) -> np.ndarray:
    """Probability that a current loan reaches M3+ within `months` (prepayment included, no maturity):
    the chain's distribution over k = 0..3 carried forward, M3+ absorbing. Shapes broadcast over loans."""
    hazard = np.asarray(hazard, dtype=float)
    shape = np.broadcast(hazard, roll[..., 0]).shape
    p = [np.ones(shape)] + [np.zeros(shape) for _ in range(3)]
    hit = np.zeros(shape)
    for _ in range(months):
        r = [roll[..., j] for j in range(3)]
        c = [cure[..., j] for j in range(3)]
        new0 = p[0] * (1 - hazard) * (1 - PREPAYMENT) + sum(p[j + 1] * c[j] for j in range(3))
        new1 = p[0] * hazard + p[1] * (1 - r[0] - c[0])
        new2 = p[1] * r[0] + p[2] * (1 - r[1] - c[1])
        new3 = p[2] * r[1] + p[3] * (1 - r[2] - c[2])
        hit = hit + p[3] * r[2]
        p = [new0, new1, new2, new3]
    return hit


class _HazardTable:
    """hazard solving ever_m3plus_within(hazard, pd) = pd, tabulated over logit(pd) and log(hazard)."""

    def __init__(self):
        self.z = np.linspace(-12.0, 4.0, 321)
        self.log_h = np.linspace(np.log(1e-10), np.log(0.999), 480)
        roll, cure = roll_and_cure(_sigmoid(self.z))
        grid = ever_m3plus_within(np.exp(self.log_h)[None, :], roll[:, None, :], cure[:, None, :])
        self.reach = np.maximum.accumulate(grid, axis=1)  # rising in the hazard (it is; guard rounding)

    def hazard(self, pd_12m: np.ndarray) -> np.ndarray:
        pd_12m = np.asarray(pd_12m, dtype=float)
        z = np.clip(_logit(pd_12m), self.z[0], self.z[-1])
        pos = (z - self.z[0]) / (self.z[1] - self.z[0])
        lo = np.minimum(np.floor(pos).astype(int), len(self.z) - 2)
        w = pos - lo
        out = np.empty(len(pd_12m))
        for row in np.unique(lo):
            at = lo == row
            a = np.interp(pd_12m[at], self.reach[row], self.log_h)
            b = np.interp(pd_12m[at], self.reach[row + 1], self.log_h)
            out[at] = (1 - w[at]) * a + w[at] * b
        return np.exp(out)


_TABLE: _HazardTable | None = None


def hazard_for(pd_12m: np.ndarray) -> np.ndarray:
    """Per loan, the monthly probability of missing an instalment while current that gives its pd_12m."""
    global _TABLE
    if _TABLE is None:
        _TABLE = _HazardTable()
    return _TABLE.hazard(pd_12m)


def _stream(seed: int, name: str, month: int = 0) -> np.random.Generator:
    return np.random.default_rng([seed, month, zlib.crc32(name.encode())])


@dataclass
class Paths:
    """Every loan's state at each month end 0..months: `k` (instalments behind) and `status`."""

    k: np.ndarray        # (months + 1, loans) int16
    status: np.ndarray   # (months + 1, loans) int8
    offset: np.ndarray   # (loans,) days an instalment's due date falls before the month end
    terms: np.ndarray    # (loans,) months
    hazard: np.ndarray
    roll: np.ndarray
    cure: np.ndarray

    @property
    def months(self) -> int:
        return self.k.shape[0] - 1

    def dpd(self, month: int) -> np.ndarray:
        """Days past due at a month end (0 when current or off the book)."""
        k = self.k[month].astype(np.int32)
        return np.where(k > 0, 30 * k - self.offset, 0)

    def paid(self, month: int) -> np.ndarray:
        """Instalments paid by a month end."""
        return np.maximum(np.minimum(month, self.terms) - self.k[month], 0)


def draw_paths(pd_12m: np.ndarray, terms: np.ndarray, months: int, seed: int, write_off_days: int) -> Paths:
    """Each loan's path for `months` months from the chain, drawing month by month from streams seeded
    by (seed, month): the same loans, in the same order, with the same seed give the same paths."""
    n = len(pd_12m)
    terms = np.asarray(terms, dtype=np.int64)
    hazard = hazard_for(pd_12m)
    roll, cure = roll_and_cure(pd_12m)
    offset = _stream(seed, "post_loan:offset").integers(0, 30, n)
    k = np.zeros((months + 1, n), dtype=np.int16)
    status = np.full((months + 1, n), ACTIVE, dtype=np.int8)
    rows = np.arange(n)
    for t in range(1, months + 1):
        u = _stream(seed, "post_loan:month", t).random(n)
        prev_k = k[t - 1].astype(np.int64)
        prev_s = status[t - 1]
        new_k, new_s = prev_k.copy(), prev_s.copy()
        live = prev_s == ACTIVE
        current = live & (prev_k == 0)
        miss = current & (u < hazard)
        prepay = current & ~miss & (u < hazard + (1 - hazard) * PREPAYMENT)
        new_k[miss] = 1
        new_s[prepay] = PREPAID
        behind = live & (prev_k > 0)
        j = np.minimum(prev_k, 4) - 1
        r, c = roll[rows, np.maximum(j, 0)], cure[rows, np.maximum(j, 0)]
        rolls = behind & (u < r)
        cures = behind & ~rolls & (u < r + c)
        stays = behind & ~rolls & ~cures
        new_k[rolls] = np.minimum(prev_k[rolls] + 1, _MAX_K)
        new_k[cures] = 0
        matured = t > terms
        new_k[stays & matured] -= 1  # after maturity a payment clears one arrear
        # paid off: a current loan that has paid its last instalment
        pays = (current & ~miss & ~prepay) | cures | (stays & matured)
        done = pays & (new_k == 0) & (t >= terms)
        new_s[done] = PAID_OFF
        dpd = np.where(new_k > 0, 30 * new_k - offset, 0)
        new_s[live & (dpd > write_off_days)] = WRITTEN_OFF
        k[t] = np.where(new_s == ACTIVE, new_k, np.where(new_s == WRITTEN_OFF, new_k, 0))
        status[t] = new_s
    return Paths(k, status, offset, terms, hazard, roll, cure)


def distress_ahead(paths: Paths, month: int) -> np.ndarray:
    """Loans behind at `month`, or falling behind (from current) within the next LEAD months."""
    out = paths.k[month] > 0
    for ahead in range(month + 1, min(month + LEAD, paths.months) + 1):
        out = out | ((paths.k[ahead - 1] == 0) & (paths.k[ahead] > 0) & (paths.status[ahead - 1] == ACTIVE))
    return out


def monitoring_values(plan: FieldPlan, paths: Paths, month: int, risk: np.ndarray, seed: int) -> tuple:
    """One monitoring field's values at a month end for every loan (meaningful for active ones), and
    whether each is empty: drawn from the field's plan at a latent score that moves with the loan's
    distress (standing risk `risk`, standardised, plus DISTRESS_SHOCK when distress_ahead)."""
    n = paths.k.shape[1]
    rng = _stream(seed, "monitoring:" + plan.name, month)
    distress = 0.6 * risk + DISTRESS_SHOCK * distress_ahead(paths, month)
    distress = (distress - distress.mean()) / (distress.std() or 1.0) if n else distress
    empty = np.zeros(n, dtype=bool)
    if plan.kind == "category":
        cats = np.array(plan.categories, dtype=object)
        weights = np.exp(plan.alphas[None, :] + plan.category_risk[None, :] * distress[:, None])
        cumulative = np.cumsum(weights, axis=1)
        idx = (cumulative < (rng.random(n) * cumulative[:, -1])[:, None]).sum(axis=1)
        return cats[np.minimum(idx, len(cats) - 1)], empty
    rho = float(np.clip(plan.risk_correlation, -0.99, 0.99))
    u = rho * distress + np.sqrt(1 - rho * rho) * rng.standard_normal(n)
    if plan.kind == "boolean":
        share = plan.share
        threshold = np.inf if share <= 0 else -np.inf if share >= 1 else float(normal_score(np.array([1 - share]))[0])
        return u > threshold, empty
    from validation.data.sample_fields import on_grid

    return on_grid(plan, plan.marginal.value(u)), empty


def balance_after(amount: np.ndarray, apr: np.ndarray, terms: np.ndarray, paid: np.ndarray, repayment: str
                  ) -> np.ndarray:
    """Principal outstanding after `paid` instalments of the repayment schedule (equal_instalment,
    equal_principal, interest_first or bullet)."""
    amount = np.asarray(amount, dtype=float)
    paid = np.minimum(paid, terms)
    if repayment == "equal_instalment":
        r = np.maximum(np.asarray(apr, dtype=float), 0) / 12
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            grow_n, grow_j = (1 + r) ** terms, (1 + r) ** paid
            annuity = amount * (grow_n - grow_j) / (grow_n - 1)
        return np.where(r > 1e-12, annuity, amount * (1 - paid / terms))
    if repayment == "equal_principal":
        return amount * (1 - paid / terms)
    return np.where(paid >= terms, 0.0, amount)  # interest first, bullet: principal at the end
