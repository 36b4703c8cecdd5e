"""The `admission` section: knock-out and refer rules, each with a reason code; all hits are reported."""

from __future__ import annotations

from enum import StrEnum

from .common import Code, Rule, SpecModel, Text

__all__ = ["RuleAction", "RuleCategory", "AdmissionRule"]


class RuleAction(StrEnum):
    DECLINE = "decline"
    REFER = "refer"


class RuleCategory(StrEnum):
    POLICY = "policy"
    KYC = "kyc"
    ANTI_FRAUD = "anti_fraud"
    BUREAU = "bureau"
    TAX = "tax"
    CAPACITY = "capacity"
    CHANNEL = "channel"


class AdmissionRule(SpecModel):
    """A rule that hits when its condition holds (准入规则). A hit declines or refers the applicant."""

    code: Code
    """Reason code, upper case, unique in the product (e.g. R04)."""
    name: Text
    """Short name of the rule."""
    when: Rule
    """Condition under which the rule hits, e.g. `overdue_count_24m > 2`."""
    action: RuleAction
    """decline (knock-out) or refer (manual review)."""
    reason: Text
    """Reason a person reads when the rule hits."""
    category: RuleCategory = RuleCategory.POLICY
    """Kind of rule, for reports."""
    enabled: bool = True
    """A disabled rule is kept in the spec but never evaluated."""
