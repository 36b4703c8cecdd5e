"""The tax SME loan decided by hand: the benchmark's practical limit for a Python decision.

Written by reading product_specs/catalog/tax_sme_loan.yaml (1.0.0; its two scorecards since issue 12), the way a developer
would code it directly: the same derived features, admission and channel rules, segments, the owner's and
the firm's scorecards, bands and grades combined by their matrix, the decision matrix,
review triggers, limit and APR as docs/decision.md, and nothing else. `decide` trusts its input (no
validation: a valid applicant is assumed), returns reason codes only (no texts) and keeps no trace, so it is
a lower bound for the generated module, which must also validate the input; `decide_validated` first checks
every field the generated module checks (presence, type, range, categories), the fair comparison.
"""

from math import floor

__all__ = ["decide", "decide_validated"]

_GRADE_POINTS = {"A": 110, "B": 80, "M": 45, "C": 30, "D": 0}
_MATRIX = {
    "premium": {"a": "approve", "b": "approve", "c": "approve", "d": "refer", "e": "decline"},
    "standard": {"a": "approve", "b": "approve", "c": "approve", "d": "decline", "e": "decline"},
    "general": {"a": "approve", "b": "approve", "c": "decline", "d": "decline", "e": "decline"},
}
_COMBINE = {  # band of the owner's score -> grade of the firm's score -> final band
    "a": {"t1": "a", "t2": "a", "t3": "b", "t4": "b"},
    "b": {"t1": "a", "t2": "b", "t3": "b", "t4": "c"},
    "c": {"t1": "b", "t2": "b", "t3": "c", "t4": "d"},
    "d": {"t1": "b", "t2": "c", "t3": "d", "t4": "e"},
    "e": {"t1": "c", "t2": "d", "t3": "d", "t4": "e"},
}
_BAND_MULT = {"a": 1.2, "b": 1.0, "c": 0.8, "d": 0.6, "e": 0.5}
_SEGMENT_MULT = {"premium": 1.2, "standard": 1.0, "general": 0.7}
_BAND_SPREAD = {"a": 0.0, "b": 0.006, "c": 0.012, "d": 0.02, "e": 0.03}
_SEGMENT_SPREAD = {"premium": -0.004, "standard": 0.0, "general": 0.01}
_CHANNEL_CAP = {"wechat_oa": 1_000_000, "mini_program": 1_000_000, "h5": 500_000}  # others: the product max


def decide(a: dict) -> dict:
    sales = a["annual_tax_sales"]
    debt = a.get("total_debt")
    bureau = a.get("bureau_score")
    growth = a.get("sales_growth")
    grade = a["tax_grade"]
    years = a["years_filing"]
    channel = a["channel"]
    inquiries = a["credit_inquiries_3m"]
    device = a["device_shared_count"]
    requested = a["requested_amount"]
    tax_paid = a["tax_paid_12m"]
    if sales:
        debt_to_sales = (debt or 0) / sales
        tax_burden = tax_paid / sales
    else:
        debt_to_sales = tax_burden = None

    codes = []
    if a["is_blacklisted"]:
        codes.append("R01")
    age = a["owner_age"]
    if age < 22 or age > 65:
        codes.append("R02")
    if grade == "D":
        codes.append("R03")
    if years < 2 or a["firm_age_years"] < 2:
        codes.append("R04")
    if sales < 500_000:
        codes.append("R05")
    if a["tax_arrears"]:
        codes.append("R06")
    if a["zero_filing_months_12m"] >= 6:
        codes.append("R07")
    if a["overdue_count_24m"] >= 6 or a["max_dpd_24m"] >= 90:
        codes.append("R08")
    if inquiries > 6:
        codes.append("R09")
    if a["industry"] in ("real_estate", "quasi_financial"):
        codes.append("R10")
    declined = bool(codes)
    referred = False
    if device >= 3:
        codes.append("R11")
        referred = True
    if debt_to_sales is not None and debt_to_sales > 1:
        codes.append("R12")
        referred = True
    if a["owner_share_ratio"] < 0.2:
        codes.append("R13")
        referred = True
    if tax_burden is not None and tax_burden < 0.005:
        codes.append("R14")
        referred = True
    if channel == "h5" and device >= 2:
        codes.append("C01")
        declined = True

    if grade == "A" and sales >= 5_000_000 and years >= 3:
        segment = "premium"
    elif grade == "A" or grade == "B":
        segment = "standard"
    else:
        segment = "general"
    if segment == "general" and (channel == "mini_program" or channel == "h5"):
        codes.append("CH01")
        declined = True

    # the owner's personal bureau scorecard
    score = 200
    if bureau is None:
        score += 50
    elif bureau < 550:
        score += 10
    elif bureau < 620:
        score += 40
    elif bureau < 680:
        score += 70
    elif bureau < 740:
        score += 95
    else:
        score += 120
    if inquiries < 1:
        score += 50
    elif inquiries < 3:
        score += 35
    elif inquiries < 5:
        score += 15
    if debt_to_sales is None:
        pass
    elif debt_to_sales < 0.2:
        score += 70
    elif debt_to_sales < 0.5:
        score += 50
    elif debt_to_sales < 1:
        score += 25
    # the firm's tax scorecard
    second = 100 + _GRADE_POINTS[grade]
    if sales < 1_000_000:
        second += 10
    elif sales < 3_000_000:
        second += 35
    elif sales < 10_000_000:
        second += 60
    elif sales < 30_000_000:
        second += 80
    else:
        second += 90
    if years < 2:
        pass
    elif years < 3:
        second += 20
    elif years < 5:
        second += 40
    elif years < 8:
        second += 55
    else:
        second += 65
    if growth is None:
        second += 30
    elif growth < -0.3:
        pass
    elif growth < -0.1:
        second += 20
    elif growth < 0.3:
        second += 50
    elif growth < 1:
        second += 60
    else:
        second += 35

    if score >= 395:
        first_band = "a"
    elif score >= 360:
        first_band = "b"
    elif score >= 325:
        first_band = "c"
    elif score >= 295:
        first_band = "d"
    else:
        first_band = "e"
    if second >= 350:
        tax_grade = "t1"
    elif second >= 305:
        tax_grade = "t2"
    elif second >= 265:
        tax_grade = "t3"
    else:
        tax_grade = "t4"
    band = _COMBINE[first_band][tax_grade]
    matrix = _MATRIX[segment][band]

    if requested > 2_000_000:
        codes.append("T01")
        referred = True
    if growth is not None and growth > 2:
        codes.append("T02")
        referred = True
    if bureau is None and requested > 1_000_000:
        codes.append("T03")
        referred = True
    if matrix == "decline":
        codes.append("M01")
    elif matrix == "refer":
        codes.append("M02")
        referred = True
    decision = "decline" if declined else "refer" if referred else matrix

    limit = apr = None
    if decision != "decline":
        raw = min(sales * 0.2, tax_paid * 10) * _BAND_MULT[band] * _SEGMENT_MULT[segment]
        limit = floor(min(raw, _CHANNEL_CAP.get(channel, 3_000_000), requested) / 10_000) * 10_000
        if limit < 30_000:
            codes.append("L01")
            decision = "decline"
            limit = None
        else:
            apr = 0.052 + _BAND_SPREAD[band] + _SEGMENT_SPREAD[segment]
            if grade == "A" and years >= 5:
                apr -= 0.003
            if inquiries >= 4:
                apr += 0.005
            apr = round(min(max(apr, 0.036), 0.12), 6)
    return {"decision": decision, "segment": segment, "score": score, "band": band, "reasons": codes,
            "limit": limit, "apr": apr, "second_score": second, "second_grade": tax_grade}


_CHANNELS = frozenset(("mobile_app", "wechat_oa", "mini_program", "qr_code", "h5"))
_INDUSTRIES = frozenset(("manufacturing", "wholesale_retail", "construction", "logistics", "services", "technology",
                         "catering", "agriculture", "real_estate", "quasi_financial", "other"))
_GRADES = frozenset(("A", "B", "M", "C", "D"))


def _whole(x) -> bool:
    return x.__class__ is int or (x.__class__ is float and x.is_integer())


def _number(x) -> bool:
    return x.__class__ is float or x.__class__ is int


def decide_validated(a: dict) -> dict:
    """`decide` after checking every field the generated module checks (presence, type, range, categories),
    straight-line, as a developer would write it; raises ValueError naming the first bad field."""
    for name in ("applicant_id", "applicant_name", "id_number", "mobile_phone"):
        if not isinstance(a[name], str):
            raise ValueError(name)
    if a["channel"] not in _CHANNELS:
        raise ValueError("channel")
    x = a["requested_amount"]
    if not _number(x) or not 10_000 <= x <= 3_000_000:
        raise ValueError("requested_amount")
    x = a["owner_age"]
    if not _whole(x) or not 18 <= x <= 80:
        raise ValueError("owner_age")
    x = a["owner_share_ratio"]
    if not _number(x) or not 0 <= x <= 1:
        raise ValueError("owner_share_ratio")
    if a["is_blacklisted"].__class__ is not bool:
        raise ValueError("is_blacklisted")
    x = a.get("bureau_score")
    if x is not None and (not _whole(x) or not 300 <= x <= 900):
        raise ValueError("bureau_score")
    x = a["overdue_count_24m"]
    if not _whole(x) or not 0 <= x <= 99:
        raise ValueError("overdue_count_24m")
    x = a["max_dpd_24m"]
    if not _whole(x) or not 0 <= x <= 999:
        raise ValueError("max_dpd_24m")
    x = a["credit_inquiries_3m"]
    if not _whole(x) or not 0 <= x <= 99:
        raise ValueError("credit_inquiries_3m")
    x = a.get("total_debt")
    if x is not None and (not _number(x) or not 0 <= x <= 500_000_000):
        raise ValueError("total_debt")
    if a["industry"] not in _INDUSTRIES:
        raise ValueError("industry")
    x = a["firm_age_years"]
    if not _number(x) or not 0 <= x <= 100:
        raise ValueError("firm_age_years")
    x = a["annual_tax_sales"]
    if not _number(x) or not 0 <= x <= 1_000_000_000:
        raise ValueError("annual_tax_sales")
    x = a.get("sales_growth")
    if x is not None and (not _number(x) or not -1 <= x <= 10):
        raise ValueError("sales_growth")
    if a["tax_grade"] not in _GRADES:
        raise ValueError("tax_grade")
    x = a["years_filing"]
    if not _number(x) or not 0 <= x <= 50:
        raise ValueError("years_filing")
    x = a["tax_paid_12m"]
    if not _number(x) or not 0 <= x <= 100_000_000:
        raise ValueError("tax_paid_12m")
    x = a["zero_filing_months_12m"]
    if not _whole(x) or not 0 <= x <= 12:
        raise ValueError("zero_filing_months_12m")
    if a["tax_arrears"].__class__ is not bool:
        raise ValueError("tax_arrears")
    x = a["device_shared_count"]
    if not _whole(x) or not 0 <= x <= 100:
        raise ValueError("device_shared_count")
    return decide(a)
