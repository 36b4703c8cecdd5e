"""The `segments` section: ids unique, only the last segment a catch-all (first match wins)."""

from __future__ import annotations

from ..checked import CheckedRule
from ..rules import BOOLEAN
from .context import CheckContext

__all__ = ["check"]


def check(ctx: CheckContext) -> list[CheckedRule]:
    segs = ctx.spec.segments
    ctx.unique(segs, "id", "segments", "segment id")
    out = []
    for i, s in enumerate(segs):
        path, loc = f"segments[{s.id}]", ("segments", i, "when")
        last = i == len(segs) - 1
        if s.when is None:
            if not last:
                ctx.error("segment_order", ("segments", i), path,
                          "only the last segment may be a catch-all: the segments after it are unreachable",
                          "give it a condition or move it last")
            out.append(CheckedRule(s, None))
            continue
        checked = ctx.rule(s.when, loc, path + ".when", BOOLEAN)
        if last and s.when.strip().lower() != "true":
            ctx.error("catch_all", loc, path + ".when",
                      "the last segment must be a catch-all, so every applicant has a segment",
                      "leave its condition empty")
        out.append(CheckedRule(s, checked))
    return out
