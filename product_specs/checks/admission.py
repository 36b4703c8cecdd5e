"""The `admission` section (and channel rules, which are admission rules): conditions and reason texts."""

from __future__ import annotations

import re

from ..checked import CheckedRule
from ..rules import BOOLEAN
from .context import CheckContext

__all__ = ["check", "check_rules"]

_CJK = re.compile(r"[\u4e00-\u9fff]")


def check(ctx: CheckContext) -> list[CheckedRule]:
    return check_rules(ctx, ctx.spec.admission, ("admission",), "admission")


def check_rules(ctx: CheckContext, rules, loc0: tuple, prefix: str) -> list[CheckedRule]:
    """Type every rule's condition; the enabled, well-typed rules come back in spec order."""
    out = []
    for i, r in enumerate(rules):
        path = f"{prefix}[{r.code}]"
        if not _CJK.search(r.reason.zh):
            ctx.warn("reason_text", loc0 + (i, "reason", "zh"), path + ".reason.zh",
                     "the Chinese reason has no Chinese text")
        checked = ctx.rule(r.when, loc0 + (i, "when"), path + ".when", BOOLEAN)
        if checked is not None and r.enabled:
            out.append(CheckedRule(r, checked))
    return out
