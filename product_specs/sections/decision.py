"""The `decision` section: score bands, the segment x band matrix and manual-review triggers."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from .common import Code, Ident, Rule, SpecModel, Text

__all__ = ["Outcome", "Band", "ReviewTrigger", "Decision"]


class Outcome(StrEnum):
    APPROVE = "approve"
    REFER = "refer"
    DECLINE = "decline"


class Band(SpecModel):
    """A score band. Bands are listed best first; an applicant falls in the first whose minimum is met."""

    id: Ident
    """Band identifier."""
    name: Text
    """Band name."""
    min_score: int | None = None
    """Lowest score in the band; empty on the last band (everyone below)."""


class ReviewTrigger(SpecModel):
    """A condition that sends an otherwise approvable application to manual review (人工调查)."""

    code: Code
    """Reason code of the trigger."""
    name: Text
    """Short name."""
    when: Rule
    """Condition under which the application goes to review."""
    reason: Text
    """Why a reviewer is asked to look."""


class Decision(SpecModel):
    """How a score and a segment become an outcome (决策矩阵)."""

    bands: list[Band] = Field(min_length=2)
    """Score bands, best first."""
    matrix: dict[str, dict[str, Outcome]]
    """Outcome for every segment (rows) and band (columns)."""
    review_triggers: list[ReviewTrigger] = []
    """Manual-review triggers."""
    decline_code: Code = "M01"
    """Reason code when the matrix declines."""
    decline_reason: Text = Text(zh="综合评分未达到准入标准", en="Overall score below the approval standard")
    """Reason given when the matrix declines."""
    refer_code: Code = "M02"
    """Reason code when the matrix refers."""
    refer_reason: Text = Text(zh="综合评分需人工审核", en="Overall score requires manual review")
    """Reason given when the matrix refers."""
