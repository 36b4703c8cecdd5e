"""The guided walkthrough (build the tax SME loan in 10 steps), for every front end: each step is checked
against the product being edited. Titles and help live in designer.i18n under `learn.step<N>.*`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Step", "STEPS", "progress", "GLOSSARY", "REFERENCE_PRODUCTS"]


def _items(data: dict, section: str) -> list[dict]:
    value = data.get(section) if isinstance(data, dict) else None
    return [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []


def _names(data: dict, section: str, key: str) -> set:
    return {i.get(key) for i in _items(data, section)}


def _num(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Step:
    number: int
    page: str  # the page (url) where the step is done
    done: Callable[[dict, bool], bool]  # (draft data, check passed) -> done


def _product(d, ok):
    p = d.get("product") if isinstance(d.get("product"), dict) else {}
    return p.get("kind") == "sme_business" and p.get("id") not in (None, "", "new_loan")


def _fields(d, ok):
    return {"annual_tax_sales", "tax_grade", "years_filing"} <= _names(d, "fields", "name")


def _derived(d, ok):
    return any("annual_tax_sales" in str(x.get("expr", "")) for x in _items(d, "derived"))


def _segments(d, ok):
    segs = _items(d, "segments")
    return len(segs) >= 2 and not segs[-1].get("when") and any("tax_grade" in str(s.get("when", "")) for s in segs)


def _admission(d, ok):
    rules = _items(d, "admission")
    return len(rules) >= 3 and any("tax_grade" in str(r.get("when", "")) for r in rules)


def _scorecard(d, ok):
    card = d.get("scorecard") if isinstance(d.get("scorecard"), dict) else {}
    scored = {c.get("field") for c in card.get("characteristics") or [] if isinstance(c, dict)}
    return {"tax_grade", "annual_tax_sales"} <= scored


def _decision(d, ok):
    dec = d.get("decision") if isinstance(d.get("decision"), dict) else {}
    matrix = dec.get("matrix") if isinstance(dec.get("matrix"), dict) else {}
    return len(dec.get("bands") or []) >= 3 and _names(d, "segments", "id") <= set(matrix)


def _pricing(d, ok):
    p = d.get("pricing") if isinstance(d.get("pricing"), dict) else {}
    prod = d.get("product") if isinstance(d.get("product"), dict) else {}
    cap, limit = _num(p.get("cap")), _num(prod.get("apr_cap", 0.24))
    return cap is not None and limit is not None and cap <= limit <= 0.24 and bool(p.get("band_spreads"))


def _channels(d, ok):
    kinds = {c.get("kind") for c in _items(d, "channels")}
    return {"wechat_official_account", "mobile_banking_app", "qr_code"} <= kinds


def _checked(d, ok):
    return ok and len(_items(d, "tests")) >= 3


STEPS = (
    Step(1, "basics", _product), Step(2, "fields", _fields), Step(3, "derived", _derived),
    Step(4, "segments", _segments), Step(5, "admission", _admission), Step(6, "scorecard", _scorecard),
    Step(7, "decision", _decision), Step(8, "pricing", _pricing), Step(9, "channels", _channels),
    Step(10, "examples", _checked),
)


def progress(data: dict | None, check_passed: bool) -> list[bool]:
    """Whether each step of the walkthrough is done in `data` (all False when nothing is open)."""
    if not isinstance(data, dict):
        return [False] * len(STEPS)
    return [bool(step.done(data, check_passed)) for step in STEPS]


GLOSSARY = ("admission", "segment", "scorecard", "second_scorecard", "matrix", "limit", "pricing", "channel", "post_loan",
            "early_warning", "collection", "npl", "approval_rate", "write_off", "champion", "swap", "el", "psi")
"""Glossary entries, by key of `glossary.<key>.*` in the translation table."""

REFERENCE_PRODUCTS = ("tax_sme_loan", "regional_micro_loan", "scenario_sme_loan", "consumer_instalment_loan")
"""The catalog's reference products, explained under `reference.<id>` in the translation table."""
