"""The `channels` section: ids unique, segments known, caps a channel can lend under, typed extra rules."""

from __future__ import annotations

from ..checked import CheckedRule
from ..rules import did_you_mean
from .admission import check_rules
from .context import CheckContext

__all__ = ["check"]


def check(ctx: CheckContext) -> dict[str, tuple[CheckedRule, ...]]:
    chans = ctx.spec.channels
    ctx.unique(chans, "id", "channels", "channel id")
    segs = ctx.segment_ids()
    out = {}
    for i, c in enumerate(chans):
        path = f"channels[{c.id}]"
        for seg in c.segments:
            if seg not in segs:
                ctx.error("reference", ("channels", i, "segments"), path + ".segments", f"unknown segment {seg!r}",
                          did_you_mean(seg, segs))
        if c.limit_cap is not None and c.limit_cap < ctx.spec.limits.min:
            ctx.warn("limits", ("channels", i, "limit_cap"), path + ".limit_cap",
                     f"cap {c.limit_cap} is below the product minimum {ctx.spec.limits.min}: "
                     "this channel can never lend")
        out[c.id] = tuple(check_rules(ctx, c.rules, ("channels", i, "rules"), path + ".rules"))
    return out
