"""The `post_loan` section: monitoring fields, typed early warnings, contiguous DPD buckets from day 1,
collection steps inside their bucket."""

from __future__ import annotations

from ..checked import CheckedRule
from ..rules import BOOLEAN, did_you_mean
from ..sections import FieldType
from .context import CheckContext, symbol_of

__all__ = ["check"]


def check(ctx: CheckContext) -> list[CheckedRule]:
    pl = ctx.spec.post_loan
    scope = dict(ctx.scope)
    for i, f in enumerate(pl.monitoring_fields):
        if f.name in scope:
            ctx.error("duplicate", ("post_loan", "monitoring_fields", i, "name"),
                      f"post_loan.monitoring_fields[{f.name}]", f"{f.name!r} is already a field")
        elif f.type is not FieldType.STRING:
            scope[f.name] = symbol_of(f)
    out = []
    for i, w in enumerate(pl.early_warning):
        checked = ctx.rule(w.when, ("post_loan", "early_warning", i, "when"),
                           f"post_loan.early_warning[{w.code}].when", BOOLEAN, scope)
        if checked is not None:
            out.append(CheckedRule(w, checked))
    _buckets(ctx)
    return out


def _buckets(ctx: CheckContext) -> None:
    pl = ctx.spec.post_loan
    buckets = pl.dpd_buckets
    ctx.unique(buckets, "id", "post_loan.dpd_buckets", "bucket id")
    for j, b in enumerate(buckets):
        loc, path = ("post_loan", "dpd_buckets", j), f"post_loan.dpd_buckets[{b.id}]"
        want = 1 if j == 0 else (buckets[j - 1].max_days or 0) + 1
        if b.min_days != want:
            kind = "overlap" if b.min_days < want else "gap"
            ctx.error("dpd", loc + ("min_days",), path + ".min_days",
                      f"buckets must be contiguous: expected min_days {want}, got {b.min_days} ({kind})")
        if b.max_days is not None and b.max_days < b.min_days:
            ctx.error("dpd", loc + ("max_days",), path + ".max_days", "max_days is below min_days")
        if b.max_days is None and j != len(buckets) - 1:
            ctx.error("dpd", loc + ("max_days",), path + ".max_days", "only the last bucket is open-ended")
    if buckets[-1].max_days is not None:
        ctx.warn("dpd", ("post_loan", "dpd_buckets"), "post_loan.dpd_buckets",
                 f"no bucket beyond {buckets[-1].max_days} days", "leave the last max_days empty")
    ids = {b.id: b for b in buckets}
    for k, action in enumerate(pl.collection):
        loc, path = ("post_loan", "collection", k), f"post_loan.collection[{k}]"
        bucket = ids.get(action.bucket)
        if bucket is None:
            ctx.error("reference", loc + ("bucket",), path + ".bucket", f"unknown bucket {action.bucket!r}",
                      did_you_mean(action.bucket, ids))
        elif action.day < bucket.min_days or (bucket.max_days is not None and action.day > bucket.max_days):
            ctx.error("dpd", loc + ("day",), path + ".day", f"day {action.day} is outside bucket {bucket.id}")
