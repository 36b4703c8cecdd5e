"""Champion / challenger in money: per segment and band, approvals, volume lent, bad rate, expected loss,
interest income and expected profit of each product, and the change.

Per approved applicant, over one year, with the model PD every decision carries and LGD as the figures
take it (`loss_given_default`, the bad applicants' mean where missing, 45% without any):
    exposure = limit;  interest income = limit x APR x (1 - PD);  EL = PD x LGD x limit;
    funding cost = limit x `pricing.funding_cost` (0 when the spec declares none);
    expected profit = interest income - EL - funding cost.
Groups are each product's own segment and band of the applicant (a challenger that moves an applicant to
another band moves its money there).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MoneyRow", "money_rows"]

_MONEY = """
WITH fill AS (SELECT coalesce(avg(lgd) FILTER (WHERE bad = 1), avg(lgd), $default_lgd) AS lgd FROM champion),
sides AS (
    SELECT 'champion' AS side, segment, band, decision, "limit", apr, pd, coalesce(c.lgd, fill.lgd) AS lgd
    FROM champion AS c, fill
    UNION ALL
    SELECT 'challenger' AS side, segment, band, decision, "limit", apr, pd, coalesce(c.lgd, fill.lgd) AS lgd
    FROM challenger AS c, fill
)
SELECT side, segment, band,
       count(*) FILTER (WHERE decision = 'approve') AS approvals,
       coalesce(sum("limit") FILTER (WHERE decision = 'approve'), 0) AS volume,
       avg(pd) FILTER (WHERE decision = 'approve') AS bad_rate,
       coalesce(sum(pd * lgd * "limit") FILTER (WHERE decision = 'approve'), 0) AS el,
       coalesce(sum("limit" * apr * (1 - pd)) FILTER (WHERE decision = 'approve'), 0) AS income
FROM sides
GROUP BY GROUPING SETS ((side, segment, band), (side))
"""


@dataclass
class MoneyRow:
    """One segment and band (or the total: segment and band empty), champion then challenger."""

    segment: str
    band: str
    approvals: tuple[int, int]
    volume: tuple[float, float]
    bad_rate: tuple[float | None, float | None]  # mean model PD of approved
    expected_loss: tuple[float, float]
    interest_income: tuple[float, float]
    expected_profit: tuple[float, float]

    @staticmethod
    def change(pair) -> float | None:
        a, b = pair
        return None if a is None or b is None else b - a


def money_rows(q, champion_funding: float, challenger_funding: float) -> list[MoneyRow]:
    """The money table from a compare query set `q` holding the views `champion` and `challenger`."""
    from validation.analysis.metrics import DEFAULT_LGD, as_float

    found: dict[tuple, dict] = {}
    for row in q.rows(_MONEY, {"default_lgd": DEFAULT_LGD}):
        found[(row["segment"] or "", row["band"] or "", row["side"])] = row
    keys = sorted({(s, b) for s, b, _ in found if (s, b) != ("", "")}) + [("", "")]
    out = []
    for segment, band in keys:
        sides = []
        for side, funding in (("champion", champion_funding), ("challenger", challenger_funding)):
            r = found.get((segment, band, side)) or {"approvals": 0, "volume": 0, "bad_rate": None, "el": 0, "income": 0}
            volume, el, income = float(r["volume"]), float(r["el"]), float(r["income"])
            sides.append((int(r["approvals"]), volume, as_float(r["bad_rate"]), el, income, income - el - volume * funding))
        a, b = sides
        out.append(MoneyRow(segment, band, (a[0], b[0]), (a[1], b[1]), (a[2], b[2]), (a[3], b[3]), (a[4], b[4]),
                            (a[5], b[5])))
    return out
