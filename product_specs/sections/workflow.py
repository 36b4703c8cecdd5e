"""The `workflow` section: the stages a loan goes through, who acts and the SLA of each."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from .common import Ident, SpecModel, Text

__all__ = ["Role", "Stage", "Workflow"]


class Role(StrEnum):
    SYSTEM = "system"
    CUSTOMER = "customer"
    FRONT_OFFICE = "front_office"
    MIDDLE_OFFICE = "middle_office"
    BACK_OFFICE = "back_office"
    POST_LOAN = "post_loan"
    COLLECTIONS = "collections"


class Stage(SpecModel):
    """One stage of the loan workflow."""

    id: Ident
    """Stage identifier."""
    name: Text
    """Stage name."""
    role: Role
    """Who acts at this stage."""
    sla_hours: Decimal | None = Field(default=None, gt=0)
    """Time allowed for the stage, in hours."""
    manual: bool = False
    """A person acts (true) or the system does (false)."""
    next: list[Ident] = []
    """Stages that may follow."""


class Workflow(SpecModel):
    """The loan workflow (进件 -> 审批 -> 签约 -> 放款 -> 贷后)."""

    stages: list[Stage] = Field(min_length=1)
    """Stages in their usual order."""
