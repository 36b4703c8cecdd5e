"""The `product` section: identity, kind, currency, version, terms, regulatory cap."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from .common import Ident, Rate, SpecModel, Text

__all__ = ["ProductKind", "Repayment", "Product"]


class ProductKind(StrEnum):
    """The kind of lending. It changes no decision, check or compiled code: only the synthetic sample
    data reads it, for a believable default profile (base bad rate, income and amount scale) of fields
    that declare none. `other` is any product outside the four catalog kinds (e.g. an agricultural
    equipment loan); its samples use the retail micro profile."""

    SME_BUSINESS = "sme_business"
    MICRO_RETAIL = "micro_retail"
    SCENARIO_SME = "scenario_sme"
    CONSUMER_INSTALMENT = "consumer_instalment"
    OTHER = "other"


class Repayment(StrEnum):
    EQUAL_INSTALMENT = "equal_instalment"
    EQUAL_PRINCIPAL = "equal_principal"
    INTEREST_FIRST = "interest_first"
    BULLET = "bullet"


class Product(SpecModel):
    """Who the product is and the terms every loan under it shares."""

    id: Ident
    """Product identifier, lower case with underscores (used in file and service names)."""
    name: Text
    """Product name shown to customers and staff."""
    kind: ProductKind
    """Kind of lending: sme_business, micro_retail, scenario_sme, consumer_instalment or other. Only sample
    data reads it (its default risk and amount profile); decisions and checks never do."""
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    """Semantic version of this product definition, e.g. 1.2.0."""
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    """ISO 4217 currency of every amount in the spec."""
    description: Text | None = None
    """What the product is for, in a sentence or two."""
    terms_months: list[int] = Field(min_length=1)
    """Loan terms offered, in months."""
    repayment: list[Repayment] = Field(min_length=1)
    """Repayment methods offered."""
    apr_cap: Rate = Decimal("0.24")
    """Regulatory annual rate cap (APR as a fraction). 0.24 is the common cap in China."""
    channel_field: Ident = "channel"
    """The data-dictionary field that names the sales channel of an application."""
    id_field: Ident | None = None
    """The data-dictionary field that identifies an applicant (decisions files and reports name applicants by
    it). Default: `applicant_id` when the dictionary declares it, else the row number."""
