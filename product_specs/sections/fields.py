"""The `fields` section (data dictionary) and the `derived` section (computed features)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field as PydField

from .common import Ident, Rule, SpecModel, Text

__all__ = ["FieldType", "Source", "Field", "Derived"]


class FieldType(StrEnum):
    INTEGER = "integer"
    NUMBER = "number"
    CATEGORY = "category"
    BOOLEAN = "boolean"
    STRING = "string"


class Source(StrEnum):
    APPLICATION = "application"
    BUREAU = "bureau"
    TAX = "tax"
    DEVICE = "device"
    PARTNER = "partner"
    INTERNAL = "internal"
    THIRD_PARTY = "third_party"


class Field(SpecModel):
    """One input of a decision: what it is, where it comes from, what values it may take."""

    name: Ident
    """Field name used in rules, lower case with underscores."""
    label: Text
    """Name shown in forms and reports."""
    type: FieldType
    """integer, number, category (one of `categories`), boolean or string (free text, not usable in rules)."""
    source: Source = Source.APPLICATION
    """Where the value comes from: application form, credit bureau, tax bureau, device, partner..."""
    required: bool = True
    """A decision refuses an applicant without this value; optional fields may be null."""
    min: Decimal | None = None
    """Smallest allowed value (integer and number fields)."""
    max: Decimal | None = None
    """Largest allowed value (integer and number fields)."""
    categories: list[str] | None = None
    """Allowed values of a category field."""
    unit: str | None = None
    """Unit of measure, e.g. CNY, months, years."""
    pii: bool = False
    """Personal data (ID number, phone, name, address): masked in logs and reports."""
    description: Text | None = None
    """Longer help text."""


class Derived(SpecModel):
    """A feature computed from fields (or earlier derived features) with a formula of the rule language."""

    name: Ident
    """Feature name used in rules."""
    label: Text
    """Name shown in forms and reports."""
    expr: Rule
    """Formula or condition, e.g. `coalesce(total_debt, 0) / annual_tax_sales`."""
    description: Text | None = None
    """Longer help text."""
    min: Decimal | None = PydField(default=None)
    """Optional lower bound of a numeric feature, used to check scorecard bins."""
    max: Decimal | None = None
    """Optional upper bound of a numeric feature, used to check scorecard bins."""
