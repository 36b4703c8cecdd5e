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
    bands = ctx.spec.decision.bands
    ctx.unique(bands, "id", "decision.bands", "band id")
    for j, band in enumerate(bands):
        bloc, bpath = ("decision", "bands", j, "min_score"), f"decision.bands[{band.id}].min_score"
        last = j == len(bands) - 1
        if last and band.min_score is not None:
            ctx.error("bands", bloc, bpath, "the last band catches every lower score",
                      "leave its min_score empty")
        if not last and band.min_score is None:
            ctx.error("bands", bloc, bpath, "only the last band may have no min_score")
        prev = bands[j - 1].min_score if j else None
        if j and None not in (prev, band.min_score) and band.min_score >= prev:
            ctx.error("bands", bloc, bpath, f"bands must be ordered best first: {band.min_score} is not below "
                      f"{prev}")
