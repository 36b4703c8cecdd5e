"""The `segments` section: customer tiers, first match wins, the last one catches everyone else."""

from __future__ import annotations

from .common import Ident, Rule, SpecModel, Text

__all__ = ["Segment"]


class Segment(SpecModel):
    """A customer tier (客群). Segments are tried in order; the first whose condition holds wins."""

    id: Ident
    """Segment identifier."""
    name: Text
    """Segment name."""
    when: Rule | None = None
    """Condition; leave empty on the last segment to make it the catch-all."""
    description: Text | None = None
    """Who this tier is."""
