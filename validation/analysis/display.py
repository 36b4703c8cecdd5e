"""How figures read as text: one place for the report and the command line, so both print the same."""

from __future__ import annotations

import json

__all__ = ["MISSING", "pct", "money", "signed_pp", "figure", "short"]

MISSING = "—"


def pct(value, digits: int = 2) -> str:
    """A fraction as a percentage: 0.0576 -> '5.76%'."""
    return MISSING if value is None else f"{value * 100:.{digits}f}%"


def money(value) -> str:
    """An amount with thousands separators, no decimals."""
    return MISSING if value is None else f"{value:,.0f}"


def signed_pp(value) -> str:
    """A change of a rate in percentage points: 0.012 -> '+1.20 pp'."""
    return MISSING if value is None else f"{value * 100:+.2f} pp"


def figure(value, unit: str) -> str:
    """A figure by its unit: count, money, ratio (x) or rate (%)."""
    if value is None:
        return MISSING
    if unit == "count":
        return f"{value:,}"
    if unit == "money":
        return money(value)
    if unit == "ratio":
        return f"{value:.2f}×"
    return pct(value)


def short(value, width: int) -> str:
    """A value of a spec diff on one line, cut to `width` characters."""
    if value is None:
        return MISSING
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"
