"""The `tests` section (example tests): applicants name known fields, expectations known segments,
bands and reason codes. Running them is `generators.decision.run_example_tests`."""

from __future__ import annotations

from ..rules import Symbol, did_you_mean
from .context import CheckContext

__all__ = ["check"]


def check(ctx: CheckContext) -> None:
    names = set(ctx.scope) | ctx.text_fields
    segs, bands = ctx.segment_ids(), ctx.band_ids()
    for i, t in enumerate(ctx.spec.tests):
        path = f"tests[{t.name}]"
        for key in t.applicant:
            if key not in names or ctx.scope.get(key, Symbol("", False)).derived:
                ctx.error("reference", ("tests", i, "applicant", key), f"{path}.applicant.{key}",
                          f"unknown field {key!r}", did_you_mean(key, names))
        exp = t.expect
        if exp.segment is not None and exp.segment not in segs:
            ctx.error("reference", ("tests", i, "expect", "segment"), path + ".expect.segment",
                      f"unknown segment {exp.segment!r}", did_you_mean(exp.segment, segs))
        if exp.band is not None and exp.band not in bands:
            ctx.error("reference", ("tests", i, "expect", "band"), path + ".expect.band",
                      f"unknown band {exp.band!r}", did_you_mean(exp.band, bands))
        for code in exp.reasons or []:
            if code not in ctx.reason_code_set:
                ctx.error("reference", ("tests", i, "expect", "reasons"), path + ".expect.reasons",
                          f"unknown reason code {code!r}", did_you_mean(code, ctx.reason_code_set))
