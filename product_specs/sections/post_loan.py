"""The `post_loan` section: monitoring fields, early-warning rules, DPD buckets and collection actions."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field as PydField

from .common import Code, Ident, Rule, SpecModel, Text
from .fields import Field

__all__ = ["WarningLevel", "EarlyWarning", "DpdBucket", "CollectionActionKind", "CollectionAction", "PostLoan"]


class WarningLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class EarlyWarning(SpecModel):
    """A post-loan early-warning rule (贷后预警) over monitoring fields."""

    code: Code
    """Warning code."""
    name: Text
    """Short name."""
    when: Rule
    """Condition over monitoring (and application) fields."""
    level: WarningLevel
    """Severity."""
    action: Text
    """What the post-loan team does."""


class DpdBucket(SpecModel):
    """A days-past-due bucket, e.g. M1 = 1-30 days."""

    id: Ident
    """Bucket identifier (m1, m2, m3, m3_plus)."""
    name: Text
    """Bucket name."""
    min_days: int = PydField(ge=1)
    """First day past due in the bucket."""
    max_days: int | None = None
    """Last day past due in the bucket; empty on the last bucket."""


class CollectionActionKind(StrEnum):
    SMS = "sms"
    CALL = "call"
    FIELD_VISIT = "field_visit"
    LEGAL = "legal"
    OUTSOURCE = "outsource"
    WRITE_OFF = "write_off"


class CollectionAction(SpecModel):
    """A collection step (催收) taken on a given day past due."""

    bucket: Ident
    """DPD bucket the step belongs to."""
    day: int = PydField(ge=1)
    """Day past due on which the step is taken."""
    action: CollectionActionKind
    """What is done."""
    note: Text | None = None
    """Script or instruction."""


class PostLoan(SpecModel):
    """Post-loan management (贷后管理)."""

    monitoring_fields: list[Field] = []
    """Data observed after disbursement (e.g. days_past_due, tax_sales_change)."""
    early_warning: list[EarlyWarning] = []
    """Early-warning rules."""
    dpd_buckets: list[DpdBucket] = PydField(min_length=1)
    """Contiguous, non-overlapping buckets from day 1."""
    collection: list[CollectionAction] = []
    """Collection steps by bucket and day."""
    write_off_days: int = PydField(default=180, ge=1)
    """Days past due after which a loan is written off (核销)."""
