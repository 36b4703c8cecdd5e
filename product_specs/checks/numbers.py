"""Every number in the spec is finite and small enough for a double to hold it exactly enough."""

from __future__ import annotations

from decimal import Decimal

from ..io import item_path
from .context import CheckContext

__all__ = ["check", "LARGEST"]

LARGEST = Decimal(10) ** 15  # amounts, rates and bounds: far inside the 2**53 a double holds exactly


def check(ctx: CheckContext) -> None:
    def walk(value, loc: tuple) -> None:
        if isinstance(value, Decimal):
            if not value.is_finite() or abs(value) > LARGEST:
                path = item_path(data, loc)
                ctx.error("number", loc, path, f"{value} is not a usable number",
                          f"numbers in a spec lie between -{LARGEST:,} and {LARGEST:,}")
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, loc + (key,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, loc + (i,))

    data = ctx.spec.model_dump(mode="python")
    walk(data, ())
