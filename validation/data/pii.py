"""Masking of personal data (fields marked `pii: true`) before it reaches a report, a table or a log."""

from __future__ import annotations

from product_specs import ProductSpec

__all__ = ["mask", "pii_fields"]


def mask(value) -> str | None:
    """A masked form that keeps enough to tell values apart by eye: `13800000001` -> `138******01`.

    Short values keep only their first character (`张三` -> `张*`); nothing is ever shown whole.
    """
    if value is None:
        return None
    text = str(value)
    if len(text) <= 1:
        return "*"
    if len(text) <= 4:
        return text[0] + "*" * (len(text) - 1)
    if len(text) <= 8:
        return text[:2] + "*" * (len(text) - 3) + text[-1]
    return text[:3] + "*" * (len(text) - 5) + text[-2:]


def pii_fields(spec: ProductSpec) -> set[str]:
    """Names of the data dictionary's personal-data fields."""
    return {f.name for f in spec.fields if f.pii}
