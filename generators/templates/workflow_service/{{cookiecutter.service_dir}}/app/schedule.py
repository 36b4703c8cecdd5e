"""Instalment schedules and repayments, in whole cents.

    schedule = build(amount_cents, apr, term_months, method, start)   # [{number, due_date, principal, interest, paid}]
    schedule, applied = pay(schedule, cents)                          # oldest instalment first, interest first

Monthly rate = APR / 12. Methods: `equal_instalment` (annuity: the same amount each month, the last one
absorbs the rounding), `equal_principal` (the same principal each month plus the month's interest),
`interest_first` (interest each month, the principal with the last one), `bullet` (principal and the whole
term's simple interest at maturity). Interest is rounded half up to the cent. Instalment `n` falls due `n`
months after the start date (the day of the month kept, or the month's last day).
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["build", "pay", "add_months", "outstanding", "outstanding_principal", "oldest_unpaid", "METHODS"]

METHODS = ("equal_instalment", "equal_principal", "interest_first", "bullet")


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _cents(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _split_principal(amount: int, term: int) -> list[int]:
    each = amount // term
    return [each] * (term - 1) + [amount - each * (term - 1)]


def build(amount: int, apr: float, term: int, method: str, start: dt.date) -> list[dict]:
    """The instalments of a loan of `amount` cents at `apr` over `term` months from `start`."""
    if amount <= 0 or term <= 0:
        raise ValueError("a schedule needs a positive amount and term")
    rate = Decimal(repr(apr)) / 12
    rows: list[tuple[int, int]] = []  # (principal, interest)
    balance = amount
    if method == "equal_instalment":
        if rate == 0:
            payment = Decimal(amount) / term
        else:
            payment = Decimal(amount) * rate / (1 - (1 + rate) ** -term)
        payment_cents = _cents(payment)
        for n in range(1, term + 1):
            interest = _cents(balance * rate)
            principal = balance if n == term else min(balance, payment_cents - interest)
            rows.append((principal, interest))
            balance -= principal
    elif method == "equal_principal":
        for principal in _split_principal(amount, term):
            rows.append((principal, _cents(balance * rate)))
            balance -= principal
    elif method == "interest_first":
        for n in range(1, term + 1):
            rows.append((amount if n == term else 0, _cents(balance * rate)))
    elif method == "bullet":
        rows = [(0, 0)] * (term - 1) + [(amount, _cents(Decimal(amount) * rate * term))]
    else:
        raise ValueError(f"unknown repayment method {method!r}")
    return [{"number": n, "due_date": add_months(start, n).isoformat(), "principal": p, "interest": i, "paid": 0}
            for n, (p, i) in enumerate(rows, 1) if p or i or n == term]


def _due(row: dict) -> int:
    return row["principal"] + row["interest"] - row["paid"]


def outstanding(schedule: list[dict]) -> int:
    """Cents not yet paid, principal and interest."""
    return sum(_due(r) for r in schedule)


def outstanding_principal(schedule: list[dict]) -> int:
    """Principal not yet paid (a payment covers an instalment's interest first)."""
    return sum(r["principal"] - max(0, r["paid"] - r["interest"]) for r in schedule)


def pay(schedule: list[dict], cents: int) -> list[dict]:
    """A new schedule with `cents` paid into the oldest unpaid instalments. Raises ValueError when `cents` is
    more than what is outstanding."""
    if cents > outstanding(schedule):
        raise ValueError(f"the amount is more than the outstanding {outstanding(schedule) / 100:.2f}")
    out = []
    for row in schedule:
        take = min(cents, _due(row))
        cents -= take
        out.append({**row, "paid": row["paid"] + take})
    return out


def oldest_unpaid(schedule: list[dict], before: dt.date) -> dt.date | None:
    """The due date of the oldest instalment not fully paid that fell due before `before`, if any."""
    for row in schedule:
        due = dt.date.fromisoformat(row["due_date"])
        if _due(row) > 0 and due < before:
            return due
    return None
