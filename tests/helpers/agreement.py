"""Decide the same applicants with both backends and name every difference (a helper, not a test).

The Python side calls the generated module's `decide(applicant, trace=False)` once per applicant; the SQL
side runs one query over a table of all the applicants in DuckDB (`sql_decide_rows`). Outputs must be
identical, except money (to the cent), rates (to 1e-9) and PDs (to 1e-12 relative).
"""

from __future__ import annotations

import json

from generators.decision import decision_module, sql_decide_rows
from product_specs import CheckedSpec

__all__ = ["MONEY", "RATE", "decide_both", "differences", "disagreements", "assert_agree"]

MONEY = 0.005  # limits agree to the cent
RATE = 1e-9  # APRs agree to 1e-9
PD = 1e-12  # PDs agree to 1e-12 relative (exp() of two math libraries may differ in the last bit)
_ROW = "row_id"  # carried through the query to put its rows back in applicant order


def decide_both(checked: CheckedSpec, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(Python decisions, SQL rows) for `rows`, in the same order."""
    module = decision_module(checked)
    python = [module.decide(row, trace=False) for row in rows]
    numbered = [dict(row, **{_ROW: i}) for i, row in enumerate(rows)]
    sql = sorted(sql_decide_rows(checked, numbered, keep=(_ROW,)), key=lambda r: r[_ROW])
    return python, sql


def _close(a, b, tolerance: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tolerance


def differences(python: dict, sql: dict) -> dict[str, tuple]:
    """Output name -> (python value, SQL value) for every output that differs."""
    out = {}
    for key in ("decision", "segment", "score", "band", "second_score", "second_grade"):
        if python.get(key) != sql.get(key):
            out[key] = (python.get(key), sql.get(key))
    codes = [r["code"] for r in python["reasons"]]
    if codes != list(sql["reasons"]):
        out["reasons"] = (codes, list(sql["reasons"]))
    for key, tolerance in (("limit", MONEY), ("apr", RATE)):
        if not _close(python[key], sql[key], tolerance):
            out[key] = (python[key], sql[key])
    if not _close(python["pd"], sql["pd"], PD * max(abs(python["pd"] or 0), 1e-300)):
        out["pd"] = (python["pd"], sql["pd"])
    return out


def disagreements(checked: CheckedSpec, rows: list[dict]) -> list[tuple[dict, dict]]:
    """(applicant, differences) for every applicant the backends decide differently."""
    python, sql = decide_both(checked, rows)
    found = []
    for row, p, s in zip(rows, python, sql, strict=True):
        diff = differences(p, s)
        if diff:
            found.append((row, diff))
    return found


def describe(product: str, total: int, found: list[tuple[dict, dict]], shown: int = 3) -> str:
    lines = [f"{product}: the Python and SQL backends disagree on {len(found)} of {total} applicants"]
    for row, diff in found[:shown]:
        lines.append("  applicant " + json.dumps(row, ensure_ascii=False, default=str))
        for key, (p, s) in diff.items():
            lines.append(f"    {key}: python={p!r} sql={s!r}")
    return "\n".join(lines)


def assert_agree(checked: CheckedSpec, rows: list[dict], label: str | None = None) -> None:
    """Fail naming the product, the first applicants and their differing outputs."""
    found = disagreements(checked, rows)
    assert not found, describe(label or checked.product_id, len(rows), found)
