"""The `decision` section: bands ordered best first with an open last band, an outcome for every
segment x band, and typed review triggers."""

from __future__ import annotations

from ..checked import CheckedRule
from ..rules import BOOLEAN, did_you_mean
from .context import CheckContext

__all__ = ["check"]


def check(ctx: CheckContext) -> list[CheckedRule]:
    dec = ctx.spec.decision
    _bands(ctx)
    segs, bands = ctx.segment_ids(), ctx.band_ids()
    for seg in dec.matrix:
        if seg not in segs:
            ctx.error("matrix", ("decision", "matrix", seg), f"decision.matrix[{seg}]", f"unknown segment {seg!r}",
                      did_you_mean(seg, segs))
    for seg in segs:
        row = dec.matrix.get(seg)
        if row is None:
            ctx.error("matrix", ("decision", "matrix"), f"decision.matrix[{seg}]",
                      f"no row for segment {seg!r}", "every segment needs an outcome for every band")
            continue
        for band in row:
            if band not in bands:
                ctx.error("matrix", ("decision", "matrix", seg, band), f"decision.matrix[{seg}][{band}]",
                          f"unknown band {band!r}", did_you_mean(band, bands))
        for band in bands:
            if band not in row:
                ctx.error("matrix", ("decision", "matrix", seg), f"decision.matrix[{seg}][{band}]",
                          f"no outcome for segment {seg!r} in band {band!r}")
    out = []
    for i, t in enumerate(dec.review_triggers):
        checked = ctx.rule(t.when, ("decision", "review_triggers", i, "when"),
                           f"decision.review_triggers[{t.code}].when", BOOLEAN)
        if checked is not None:
            out.append(CheckedRule(t, checked))
    return out


def _bands(ctx: CheckContext) -> None:
    ordered(ctx, ctx.spec.decision.bands, ("decision", "bands"), "decision.bands", "band")


def ordered(ctx: CheckContext, items, loc: tuple, path: str, what: str) -> None:
    """Score bands or grades: unique ids, best first by a strictly falling min_score, an open last one."""
    ctx.unique(items, "id", path, f"{what} id")
    for j, item in enumerate(items):
        bloc, bpath = loc + (j, "min_score"), f"{path}[{item.id}].min_score"
        last = j == len(items) - 1
        if last and item.min_score is not None:
            ctx.error("bands", bloc, bpath, f"the last {what} catches every lower score",
                      "leave its min_score empty")
        if not last and item.min_score is None:
            ctx.error("bands", bloc, bpath, f"only the last {what} may have no min_score")
        prev = items[j - 1].min_score if j else None
        if j and None not in (prev, item.min_score) and item.min_score >= prev:
            ctx.error("bands", bloc, bpath, f"{what}s must be ordered best first: {item.min_score} is not below "
                      f"{prev}")
