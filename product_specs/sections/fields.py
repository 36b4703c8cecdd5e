"""The `fields` section (data dictionary) and the `derived` section (computed features)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field as PydField
from pydantic import StringConstraints

from .common import Ident, Rule, SpecModel, Text

__all__ = ["FieldType", "Source", "Field", "Derived", "Distribution", "Dependency", "Family", "TextFormat",
           "NetworkKind", "Network",
           "QUANTILE_KEY"]

QUANTILE_KEY = r"^p([1-9]|[1-9][0-9])$"
"""Keys of `Distribution.quantiles`: p1 to p99 (checked with a readable message by the checks)."""
Quantile = Annotated[str, StringConstraints(max_length=8)]
Share = Annotated[Decimal, PydField(ge=0, le=1)]
Correlation = Annotated[Decimal, PydField(ge=Decimal("-0.99"), le=Decimal("0.99"))]
Shift = Annotated[Decimal, PydField(ge=-3, le=3)]


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


class Family(StrEnum):
    """The shape of a numeric field's values in sample data."""

    NORMAL = "normal"
    LOGNORMAL = "lognormal"
    LOGITNORMAL = "logitnormal"
    COUNT = "count"
    UNIFORM = "uniform"


class TextFormat(StrEnum):
    """What a free-text field holds in sample data (never real personal data)."""

    ID = "id"
    PERSON_NAME = "person_name"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"
    DEVICE_ID = "device_id"
    IP_ADDRESS = "ip_address"


class Dependency(SpecModel):
    """How a field's sample values move with another field's, drawn before it."""

    field: Ident
    """The other field of the data dictionary (not a derived feature)."""
    correlation: Correlation | None = None
    """For a numeric or boolean field: the correlation of the two fields' ranks (normal scores), from -0.99
    to 0.99; e.g. 0.6 makes tax paid rise with sales."""
    shift: dict[str, Shift] | None = PydField(default=None, max_length=200)
    """For a category field: per category, how far this field's values move up (positive) or down
    (negative), in standard deviations of its own spread, e.g. `{farmer: -0.5, civil_servant: 0.4}`.
    Unlisted categories do not move it."""


class Distribution(SpecModel):
    """How sample data draws a field. Every key is optional: what is left out gets a default from the
    field's type, unit and range, which `loanstudio sample-data SPEC --explain` prints. Only sample data
    reads this; decisions never do."""

    family: Family | None = None
    """Shape of a numeric field: `normal` (symmetric around the median), `lognormal` (skewed to the right,
    above 0: amounts, areas, durations), `logitnormal` (a share between min and max, bunched around its
    median), `count` (whole numbers of events 0, 1, 2...), `uniform` (equally likely anywhere between min and
    max, or between the declared quantiles). Default: by unit and range (a currency amount is lognormal, a
    `count` is a count, a ratio within 0..1 is logitnormal, anything else normal inside the range)."""
    median: Decimal | None = None
    """Typical value of a numeric field: half the applicants are below it (the same as quantile `p50`)."""
    quantiles: dict[Quantile, Decimal] | None = PydField(default=None, max_length=99)
    """Values of a numeric field at given shares of applicants, e.g. `{p5: 8, p50: 40, p95: 400}`: 5% have
    at most 8. Keys `p1` to `p99`; values rise with the share and lie within min..max. Between them values
    are interpolated, beyond them the family's tails continue."""
    mean: Decimal | None = PydField(default=None, ge=0)
    """Average of a `count` field (events per applicant), e.g. 0.4."""
    share: Share | None = None
    """Share of applicants for whom a boolean field is true, e.g. 0.02. Default 0.1."""
    shares: dict[str, Share] | None = PydField(default=None, max_length=200)
    """Share of applicants in each category of a category field, e.g. `{A: 0.4, B: 0.45, C: 0.15}`.
    Unlisted categories split what is left equally; with every category listed the shares add up to 1.
    Default: equal shares."""
    missing: Decimal | None = PydField(default=None, ge=0, lt=1)
    """Share of applicants with no value, among those the field applies to (optional fields only).
    Default 0.05 for an optional field."""
    risk_correlation: Correlation | None = None
    """How the field moves with the applicant's hidden risk, from -0.99 to 0.99: positive when higher
    values (or `true`) go with more defaults (overdue counts), negative when they go with fewer (a bureau
    score). This is what lets a rule or scorecard on the field separate good applicants from bad ones.
    Default 0 (the field says nothing about risk)."""
    risk_by_category: dict[str, Shift] | None = PydField(default=None, max_length=200)
    """For a category field: per category, how much riskier (positive) or safer (negative) its applicants
    are than average, in standard deviations of hidden risk, e.g. `{A: -0.6, D: 1.2}`. Unlisted: 0."""
    depends_on: list[Dependency] = PydField(default=[], max_length=8)
    """Other fields this one moves with (they are drawn first)."""
    ratio_to: Ident | None = None
    """Draw this field as a multiple of another numeric field: the median, quantiles and family then
    describe the ratio, e.g. tax paid with `ratio_to: annual_sales` and `median: 0.03` is about 3% of
    sales. Empty where the other field is empty."""
    applies_when: Rule | None = None
    """Condition (rule language, over fields drawn before this one) under which the field has a value,
    e.g. `occupation_type = 'self_employed'`. Elsewhere it is empty, or `otherwise` for a required field."""
    otherwise: Decimal | bool | Annotated[str, StringConstraints(max_length=200)] | None = None
    """Value where `applies_when` is not true (required fields need one, e.g. 0)."""
    step: Decimal | None = PydField(default=None, ge=Decimal("0.000001"))
    """Values are rounded to a multiple of this, e.g. 1000 for requested amounts, 0.01 for money.
    Default: 1 for integers, 0.01 for currency amounts, 0.0001 for other numbers."""
    format: TextFormat | None = None
    """What a string field holds: `id` (unique per applicant, the default), `person_name`, `id_number`,
    `phone`, `email`, `address`, `device_id` or `ip_address`; personal data is always masked or fictitious."""
    in_rings: Share | None = None
    """Share of fraud rings (small groups of applicants acting together) that show in this field: a string
    field gets one value shared by the ring's members, a count field counts the other members, a boolean
    field is true for them. Default 0."""


class NetworkKind(StrEnum):
    """How a relationship-network feature counts linked applicants."""

    SHARED = "shared"
    GROUP_SIZE = "group_size"


class Network(SpecModel):
    """A relationship-network feature (关联网络): computed over the whole applicant population from values
    applicants share (a device, a phone, an address, an employer), as an anti-fraud platform would.

    Simulations compute it in SQL from the key fields when the data carries them; a deployed decision
    service receives it as an input from the bank's network platform."""

    kind: NetworkKind
    """`shared`: the other applicants with the same value of the key (in the last `within_days` days, when
    given); `group_size`: the applicants in the connected group linked through any of the keys (1 when
    linked to no one)."""
    keys: list[Ident] = PydField(min_length=1, max_length=4)
    """String fields whose equal values link applicants (one for `shared`, one to four for `group_size`)."""
    within_days: int | None = PydField(default=None, ge=1, le=3650)
    """`shared` only: count only applicants whose `day_field` is at most this many days before (or on) the
    applicant's own."""
    day_field: Ident | None = None
    """Numeric field holding the application day (days since a fixed date), for `within_days`."""


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
    distribution: Distribution | None = None
    """How sample data draws this field (typical value, spread, missing share, links to risk and to other
    fields). Without it, sample data uses defaults by type, unit and range."""
    network: Network | None = None
    """An integer field computed over the applicant population from shared keys (devices, phones,
    addresses): sample data and simulations compute it, a decision service receives it."""


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
