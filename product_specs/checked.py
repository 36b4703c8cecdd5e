"""CheckedSpec: a spec whose every rule is parsed and typed. Only `check_spec()` makes one, so a
generator or a simulation can never be handed an unchecked spec."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Finding
from .rules import CheckedExpr, Symbol
from .sections import AdmissionRule, EarlyWarning, PriceAdjustment, ReviewTrigger, Segment
from .spec import ProductSpec

__all__ = ["CheckedSpec", "CheckedRule", "SYSTEM_REASONS"]

# Reasons the decision itself gives (not written by a product manager): code -> (zh, en)
SYSTEM_REASONS = {
    "CH01": ("该渠道不受理此客群", "This channel does not serve the applicant's segment"),
}


@dataclass(frozen=True)
class CheckedRule:
    """A spec item with a condition, and the typed condition."""

    item: AdmissionRule | ReviewTrigger | PriceAdjustment | Segment | EarlyWarning
    expr: CheckedExpr | None  # None for the catch-all segment


@dataclass(frozen=True)
class CheckedSpec:
    """The output of `check_spec()` when it finds no error."""

    spec: ProductSpec
    spec_hash: str
    scope: dict[str, Symbol]
    derived: tuple[tuple[str, CheckedExpr], ...]
    segments: tuple[CheckedRule, ...]
    admission: tuple[CheckedRule, ...]
    channel_rules: dict[str, tuple[CheckedRule, ...]]
    triggers: tuple[CheckedRule, ...]
    adjustments: tuple[CheckedRule, ...]
    limit_amount: CheckedExpr
    early_warning: tuple[CheckedRule, ...]
    warnings: tuple[Finding, ...] = field(default=())
    _token: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        from .checks import _TOKEN

        if self._token is not _TOKEN:
            raise TypeError("a CheckedSpec is made by check_spec(), never directly")

    @property
    def product_id(self) -> str:
        return self.spec.product.id

