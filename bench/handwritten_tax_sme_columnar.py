"""The tax SME loan decided by hand over columns: a DuckDB query and a numpy function, the limits the
generated SQL is measured against (issue 16, item 1).

Written from the same reading of product_specs/catalog/tax_sme_loan.yaml as bench/handwritten_tax_sme.py
(the hand-written Python): the same derived features, rules, segments, the two scorecards, bands and grades
combined by their matrix, the decision matrix, review triggers, limit and APR, the way a developer would
write them for a batch. Like the Python, they trust their input (no validation) and return reason codes
only. The reasons are one list per row built once
(`list_filter` over the codes), the single place a hand-written query allocates per row.
"""

from __future__ import annotations

import numpy as np

__all__ = ["HAND_SQL", "decide_numpy"]

HAND_SQL = """
WITH d AS (
  SELECT *,
    CASE WHEN annual_tax_sales <> 0 THEN COALESCE(total_debt, 0) / annual_tax_sales END AS debt_to_sales,
    CASE WHEN annual_tax_sales <> 0 THEN tax_paid_12m / annual_tax_sales END AS tax_burden,
    CASE WHEN tax_grade = 'A' AND annual_tax_sales >= 5000000 AND years_filing >= 3 THEN 'premium'
         WHEN tax_grade IN ('A', 'B') THEN 'standard' ELSE 'general' END AS segment
  FROM applicants
), s AS (
  SELECT *,
    200
    + CASE WHEN bureau_score IS NULL THEN 50 WHEN bureau_score < 550 THEN 10 WHEN bureau_score < 620 THEN 40
           WHEN bureau_score < 680 THEN 70 WHEN bureau_score < 740 THEN 95 ELSE 120 END
    + CASE WHEN credit_inquiries_3m < 1 THEN 50 WHEN credit_inquiries_3m < 3 THEN 35
           WHEN credit_inquiries_3m < 5 THEN 15 ELSE 0 END
    + CASE WHEN debt_to_sales IS NULL THEN 0 WHEN debt_to_sales < 0.2 THEN 70 WHEN debt_to_sales < 0.5 THEN 50
           WHEN debt_to_sales < 1 THEN 25 ELSE 0 END AS score,
    100
    + CASE tax_grade WHEN 'A' THEN 110 WHEN 'B' THEN 80 WHEN 'M' THEN 45 WHEN 'C' THEN 30 ELSE 0 END
    + CASE WHEN annual_tax_sales < 1000000 THEN 10 WHEN annual_tax_sales < 3000000 THEN 35
           WHEN annual_tax_sales < 10000000 THEN 60 WHEN annual_tax_sales < 30000000 THEN 80 ELSE 90 END
    + CASE WHEN years_filing < 2 THEN 0 WHEN years_filing < 3 THEN 20 WHEN years_filing < 5 THEN 40
           WHEN years_filing < 8 THEN 55 ELSE 65 END
    + CASE WHEN sales_growth IS NULL THEN 30 WHEN sales_growth < -0.3 THEN 0 WHEN sales_growth < -0.1 THEN 20
           WHEN sales_growth < 0.3 THEN 50 WHEN sales_growth < 1 THEN 60 ELSE 35 END AS second_score,
    is_blacklisted AS r01, owner_age < 22 OR owner_age > 65 AS r02, tax_grade = 'D' AS r03,
    years_filing < 2 OR firm_age_years < 2 AS r04, annual_tax_sales < 500000 AS r05, tax_arrears AS r06,
    zero_filing_months_12m >= 6 AS r07, overdue_count_24m >= 6 OR max_dpd_24m >= 90 AS r08,
    credit_inquiries_3m > 6 AS r09, industry IN ('real_estate', 'quasi_financial') AS r10,
    device_shared_count >= 3 AS r11, COALESCE(debt_to_sales > 1, FALSE) AS r12, owner_share_ratio < 0.2 AS r13,
    COALESCE(tax_burden < 0.005, FALSE) AS r14, channel = 'h5' AND device_shared_count >= 2 AS c01,
    segment = 'general' AND channel IN ('mini_program', 'h5') AS ch01,
    requested_amount > 2000000 AS t01, COALESCE(sales_growth > 2, FALSE) AS t02,
    bureau_score IS NULL AND requested_amount > 1000000 AS t03
  FROM d
), b AS (
  SELECT *,
    CASE WHEN score >= 395 THEN 'a' WHEN score >= 360 THEN 'b' WHEN score >= 325 THEN 'c'
         WHEN score >= 295 THEN 'd' ELSE 'e' END AS first_band,
    CASE WHEN second_score >= 350 THEN 't1' WHEN second_score >= 305 THEN 't2' WHEN second_score >= 265 THEN 't3'
         ELSE 't4' END AS second_grade
  FROM s
), g AS (
  SELECT *,
    CASE first_band
      WHEN 'a' THEN CASE WHEN second_grade IN ('t1', 't2') THEN 'a' ELSE 'b' END
      WHEN 'b' THEN CASE second_grade WHEN 't1' THEN 'a' WHEN 't4' THEN 'c' ELSE 'b' END
      WHEN 'c' THEN CASE second_grade WHEN 't1' THEN 'b' WHEN 't2' THEN 'b' WHEN 't3' THEN 'c' ELSE 'd' END
      WHEN 'd' THEN CASE second_grade WHEN 't1' THEN 'b' WHEN 't2' THEN 'c' WHEN 't3' THEN 'd' ELSE 'e' END
      ELSE CASE second_grade WHEN 't1' THEN 'c' WHEN 't4' THEN 'e' ELSE 'd' END END AS band
  FROM b
), m AS (
  SELECT *,
    CASE WHEN band IN ('a', 'b') THEN 'approve' WHEN band = 'c' THEN CASE WHEN segment = 'general' THEN 'decline'
         ELSE 'approve' END WHEN band = 'd' AND segment = 'premium' THEN 'refer' ELSE 'decline' END AS matrix
  FROM g
), o AS (
  SELECT *,
    CASE WHEN r01 OR r02 OR r03 OR r04 OR r05 OR r06 OR r07 OR r08 OR r09 OR r10 OR c01 OR ch01 THEN 'decline'
         WHEN r11 OR r12 OR r13 OR r14 OR t01 OR t02 OR t03 OR matrix = 'refer' THEN 'refer'
         ELSE matrix END AS first_decision,
    floor(least(least(annual_tax_sales * 0.2, tax_paid_12m * 10)
                * CASE band WHEN 'a' THEN 1.2 WHEN 'b' THEN 1.0 WHEN 'c' THEN 0.8 WHEN 'd' THEN 0.6 ELSE 0.5 END
                * CASE segment WHEN 'premium' THEN 1.2 WHEN 'standard' THEN 1.0 ELSE 0.7 END,
                CASE channel WHEN 'wechat_oa' THEN 1000000 WHEN 'mini_program' THEN 1000000 WHEN 'h5' THEN 500000
                     ELSE 3000000 END, requested_amount) / 10000) * 10000 AS raw_limit
  FROM m
), f AS (
  SELECT *, first_decision <> 'decline' AND raw_limit < 30000 AS l01
  FROM o
)
SELECT
  CASE WHEN l01 THEN 'decline' ELSE first_decision END AS decision, segment, score, band,
  list_filter([CASE WHEN r01 THEN 'R01' END, CASE WHEN r02 THEN 'R02' END, CASE WHEN r03 THEN 'R03' END,
               CASE WHEN r04 THEN 'R04' END, CASE WHEN r05 THEN 'R05' END, CASE WHEN r06 THEN 'R06' END,
               CASE WHEN r07 THEN 'R07' END, CASE WHEN r08 THEN 'R08' END, CASE WHEN r09 THEN 'R09' END,
               CASE WHEN r10 THEN 'R10' END, CASE WHEN r11 THEN 'R11' END, CASE WHEN r12 THEN 'R12' END,
               CASE WHEN r13 THEN 'R13' END, CASE WHEN r14 THEN 'R14' END, CASE WHEN c01 THEN 'C01' END,
               CASE WHEN ch01 THEN 'CH01' END, CASE WHEN t01 THEN 'T01' END, CASE WHEN t02 THEN 'T02' END,
               CASE WHEN t03 THEN 'T03' END, CASE WHEN matrix = 'decline' THEN 'M01' END,
               CASE WHEN matrix = 'refer' THEN 'M02' END, CASE WHEN l01 THEN 'L01' END], lambda x: x IS NOT NULL)
    AS reasons,
  CASE WHEN first_decision <> 'decline' AND NOT l01 THEN raw_limit END AS "limit",
  CASE WHEN first_decision <> 'decline' AND NOT l01 THEN round(least(greatest(
    0.052 + CASE band WHEN 'a' THEN 0 WHEN 'b' THEN 0.006 WHEN 'c' THEN 0.012 WHEN 'd' THEN 0.02 ELSE 0.03 END
    + CASE segment WHEN 'premium' THEN -0.004 WHEN 'standard' THEN 0 ELSE 0.01 END
    + CASE WHEN tax_grade = 'A' AND years_filing >= 5 THEN -0.003 ELSE 0 END
    + CASE WHEN credit_inquiries_3m >= 4 THEN 0.005 ELSE 0 END, 0.036), 0.12), 6) END AS apr
FROM f
"""

_CODES = ("R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08", "R09", "R10", "R11", "R12", "R13", "R14",
          "C01", "CH01", "T01", "T02", "T03", "M01", "M02", "L01")


def _col(table, name, dtype=float):
    column = table[name]
    if dtype is float:
        return column.to_numpy(zero_copy_only=False).astype(float)  # nulls become NaN
    return column.to_numpy(zero_copy_only=False)


def _steps(x: np.ndarray, bounds, points, missing=0):
    """Points of the bin holding x (bins closed below), `missing` where x is NaN."""
    out = np.asarray(points)[np.searchsorted(np.asarray(bounds), x, side="right")]
    return np.where(np.isnan(x), missing, out)


# the final band for (band of the owner's score: e..a, grade of the firm's score: t4..t1)
_COMBINE = np.array([["e", "d", "d", "c"], ["e", "d", "c", "b"], ["d", "c", "b", "b"], ["c", "b", "b", "a"],
                     ["b", "b", "a", "a"]], dtype=object)


def decide_numpy(table, reasons: bool = True) -> dict:
    """Decide every row of an Arrow table: arrays decision, segment, score, band, limit (NaN: none), apr
    (NaN: none), and the reason-code matrix (rows x codes, booleans) with its code names."""
    sales, debt, bureau = _col(table, "annual_tax_sales"), _col(table, "total_debt"), _col(table, "bureau_score")
    growth, years, inquiries = _col(table, "sales_growth"), _col(table, "years_filing"), _col(table, "credit_inquiries_3m")
    device, requested, tax_paid = _col(table, "device_shared_count"), _col(table, "requested_amount"), _col(table, "tax_paid_12m")
    grade, channel, industry = (_col(table, n, object) for n in ("tax_grade", "channel", "industry"))
    with np.errstate(divide="ignore", invalid="ignore"):
        debt_to_sales = np.where(sales != 0, np.nan_to_num(debt) / sales, np.nan)
        tax_burden = np.where(sales != 0, tax_paid / sales, np.nan)
    is_a, is_b = grade == "A", grade == "B"
    segment = np.where(is_a & (sales >= 5_000_000) & (years >= 3), "premium",
                       np.where(is_a | is_b, "standard", "general")).astype(object)
    general = segment == "general"
    grade_points = np.select([is_a, is_b, grade == "M", grade == "C"], [110, 80, 45, 30], 0)
    score = (200 + _steps(bureau, [550, 620, 680, 740], [10, 40, 70, 95, 120], 50)
             + _steps(inquiries, [1, 3, 5], [50, 35, 15, 0])
             + _steps(debt_to_sales, [0.2, 0.5, 1], [70, 50, 25, 0], 0)).astype(np.int64)
    second = (100 + grade_points + _steps(sales, [1e6, 3e6, 1e7, 3e7], [10, 35, 60, 80, 90])
              + _steps(years, [2, 3, 5, 8], [0, 20, 40, 55, 65])
              + _steps(growth, [-0.3, -0.1, 0.3, 1], [0, 20, 50, 60, 35], 30)).astype(np.int64)
    first_band = np.searchsorted([295, 325, 360, 395], score, side="right")  # 0 = e .. 4 = a
    tax_grade = np.searchsorted([265, 305, 350], second, side="right")  # 0 = t4 .. 3 = t1
    band = _COMBINE[first_band, tax_grade]
    matrix = np.where(np.isin(band, ["a", "b"]), "approve",
                      np.where(band == "c", np.where(general, "decline", "approve"),
                               np.where((band == "d") & (segment == "premium"), "refer", "decline"))).astype(object)
    age = _col(table, "owner_age")
    hits = {
        "R01": _col(table, "is_blacklisted", object) == True,  # noqa: E712 (a boolean column as objects)
        "R02": (age < 22) | (age > 65), "R03": grade == "D",
        "R04": (years < 2) | (_col(table, "firm_age_years") < 2), "R05": sales < 500_000,
        "R06": _col(table, "tax_arrears", object) == True,  # noqa: E712
        "R07": _col(table, "zero_filing_months_12m") >= 6,
        "R08": (_col(table, "overdue_count_24m") >= 6) | (_col(table, "max_dpd_24m") >= 90),
        "R09": inquiries > 6, "R10": np.isin(industry, ["real_estate", "quasi_financial"]),
        "R11": device >= 3, "R12": debt_to_sales > 1, "R13": _col(table, "owner_share_ratio") < 0.2,
        "R14": tax_burden < 0.005, "C01": (channel == "h5") & (device >= 2),
        "CH01": general & np.isin(channel, ["mini_program", "h5"]),
        "T01": requested > 2_000_000, "T02": growth > 2, "T03": np.isnan(bureau) & (requested > 1_000_000),
        "M01": matrix == "decline", "M02": matrix == "refer",
    }
    declined = np.logical_or.reduce([hits[c] for c in _CODES[:10]] + [hits["C01"], hits["CH01"]])
    referred = np.logical_or.reduce([hits[c] for c in ("R11", "R12", "R13", "R14", "T01", "T02", "T03", "M02")])
    decision = np.where(declined, "decline", np.where(referred, "refer", matrix)).astype(object)
    band_mult = np.select([band == "a", band == "b", band == "c", band == "d"], [1.2, 1.0, 0.8, 0.6], 0.5)
    seg_mult = np.select([segment == "premium", segment == "standard"], [1.2, 1.0], 0.7)
    cap = np.select([channel == "wechat_oa", channel == "mini_program", channel == "h5"], [1e6, 1e6, 5e5], 3e6)
    raw = np.minimum(sales * 0.2, tax_paid * 10) * band_mult * seg_mult
    limit = np.floor(np.minimum(np.minimum(raw, cap), requested) / 10_000) * 10_000
    lent = decision != "decline"
    hits["L01"] = lent & (limit < 30_000)
    lent &= ~hits["L01"]
    decision = np.where(hits["L01"], "decline", decision).astype(object)
    apr = (0.052 + np.select([band == "a", band == "b", band == "c", band == "d"], [0, 0.006, 0.012, 0.02], 0.03)
           + np.select([segment == "premium", segment == "standard"], [-0.004, 0.0], 0.01)
           + np.where(is_a & (years >= 5), -0.003, 0.0) + np.where(inquiries >= 4, 0.005, 0.0))
    apr = np.round(np.clip(apr, 0.036, 0.12), 6)
    out = {"decision": decision, "segment": segment, "score": score, "band": band,
           "limit": np.where(lent, limit, np.nan), "apr": np.where(lent, apr, np.nan)}
    if reasons:
        out["reason_matrix"] = np.column_stack([hits[c] for c in _CODES])
        out["reason_codes"] = _CODES
    return out
