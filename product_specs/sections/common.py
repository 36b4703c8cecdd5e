"""Shared pieces of every section: bilingual text, identifiers, reason codes, base model."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..limits import RULE_MAX_LENGTH

__all__ = ["SpecModel", "Text", "Ident", "Code", "Rule", "Rate", "NonNegativeRate", "Money"]

Ident = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=32)]
Rule = Annotated[str, StringConstraints(min_length=1, max_length=RULE_MAX_LENGTH)]
Rate = Annotated[Decimal, Field(ge=-1, le=1, max_digits=12, decimal_places=8)]
NonNegativeRate = Annotated[Decimal, Field(ge=0, le=1, max_digits=12, decimal_places=8)]
"""A rate that cannot be negative (a base APR, a floor, a cap). `Rate = Field(ge=0)` would not do: the
annotation's own ge=-1 wins."""
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]


class SpecModel(BaseModel):
    """Base of every spec model: unknown keys are errors (a misspelt key must not be ignored)."""

    model_config = ConfigDict(extra="forbid", validate_default=True, use_attribute_docstrings=True)


class Text(SpecModel):
    """Text a person reads, in Chinese and English."""

    zh: str = Field(min_length=1, max_length=500)
    """Chinese text (中文)."""
    en: str = Field(min_length=1, max_length=500)
    """English text."""
