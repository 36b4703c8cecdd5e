"""Reason codes across sections (admission, channel rules, review triggers, the product's own codes and
Loan Studio's): each code means one thing."""

from __future__ import annotations

from ..checked import SYSTEM_REASONS
from .context import CheckContext

__all__ = ["check"]


def check(ctx: CheckContext) -> None:
    spec = ctx.spec
    # codes fixed by the product come first, so a clash is reported on the list item a person wrote
    items = [("Loan Studio itself", None, code) for code in SYSTEM_REASONS]
    items += [("limits.below_min_code", ("limits", "below_min_code"), spec.limits.below_min_code),
              ("decision.decline_code", ("decision", "decline_code"), spec.decision.decline_code),
              ("decision.refer_code", ("decision", "refer_code"), spec.decision.refer_code)]
    items += [(f"admission[{r.code}]", ("admission", i, "code"), r.code) for i, r in enumerate(spec.admission)]
    for ci, c in enumerate(spec.channels):
        items += [(f"channels[{c.id}].rules[{r.code}]", ("channels", ci, "rules", j, "code"), r.code)
                  for j, r in enumerate(c.rules)]
    items += [(f"decision.review_triggers[{t.code}]", ("decision", "review_triggers", i, "code"), t.code)
              for i, t in enumerate(spec.decision.review_triggers)]
    for model, i, ch in spec.scorecard.all_characteristics():
        at = ("scorecard",) if model == 1 else ("scorecard", "second")
        if ch.reason_code is not None:
            items.append((f"{'.'.join(at)}.characteristics[{ch.field}].reason_code",
                          at + ("characteristics", i, "reason_code"), ch.reason_code))
    seen: dict[str, str] = {}
    for path, loc, code in items:
        if code in seen:
            ctx.error("duplicate", loc, path, f"reason code {code!r} is also used by {seen[code]}",
                      "reason codes must be unique")
        else:
            seen[code] = path
    ctx.reason_code_set = set(seen)
