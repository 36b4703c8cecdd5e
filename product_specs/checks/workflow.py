"""The `workflow` section: stage ids unique, every `next` a known stage."""

from __future__ import annotations

from ..rules import did_you_mean
from .context import CheckContext

__all__ = ["check"]


def check(ctx: CheckContext) -> None:
    if ctx.spec.workflow is None:
        return
    stages = ctx.spec.workflow.stages
    ctx.unique(stages, "id", "workflow.stages", "stage id")
    ids = [s.id for s in stages]
    for i, s in enumerate(stages):
        for nxt in s.next:
            if nxt not in ids:
                ctx.error("reference", ("workflow", "stages", i, "next"), f"workflow.stages[{s.id}].next",
                          f"unknown stage {nxt!r}", did_you_mean(nxt, ids))
