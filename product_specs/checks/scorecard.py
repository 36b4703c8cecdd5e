"""The `scorecard` section: every characteristic scores a known number or category, once, with bins
that are contiguous and cover every value the field can take; reason codes come with their texts; the
declared scaling and the PD calibration agree with each other and with the points."""

from __future__ import annotations

import math

from ..rules import NUMBER, did_you_mean
from .context import CheckContext

__all__ = ["check"]


def check(ctx: CheckContext) -> None:
    card = ctx.spec.scorecard
    seen: dict[str, str] = {}
    _characteristics(ctx, card.characteristics, ("scorecard",), "scorecard", seen)
    if card.second is not None:
        _characteristics(ctx, card.second.characteristics, ("scorecard", "second"), "scorecard.second", seen)
        _second(ctx)
    elif card.calibration is not None and card.calibration.second_slope is not None:
        ctx.error("scaling", ("scorecard", "calibration", "second_slope"), "scorecard.calibration.second_slope",
                  "a slope for the second score, but the product has no second scorecard",
                  "remove `second_slope`, or add `scorecard.second`")
    if not ctx.has_errors:
        _scaling(ctx)


def _characteristics(ctx: CheckContext, characteristics, loc0: tuple, path0: str, seen: dict[str, str]) -> None:
    fields = ctx.spec.field_map()
    derived = {d.name: d for d in ctx.spec.derived}
    for i, ch in enumerate(characteristics):
        path, loc = f"{path0}.characteristics[{ch.field}]", loc0 + ("characteristics", i)
        if ch.field in seen:
            where = "" if seen[ch.field] == path0 else f" (also by {seen[ch.field]})"
            ctx.error("duplicate", loc, path, f"{ch.field!r} is scored twice{where}",
                      "score a field in one scorecard, once")
        seen.setdefault(ch.field, path0)
        symbol = ctx.scope.get(ch.field)
        if symbol is None:
            ctx.error("reference", loc + ("field",), path + ".field", f"unknown field {ch.field!r}",
                      did_you_mean(ch.field, ctx.scope))
            continue
        if symbol.type == NUMBER:
            source = fields.get(ch.field) or derived.get(ch.field)
            _numeric_bins(ctx, ch, path, loc, source.min, source.max)
        elif symbol.categories is not None:
            _category_bins(ctx, ch, path, loc, symbol.categories)
        else:
            ctx.error("type", loc + ("field",), path + ".field",
                      f"only numeric and category fields can be scored, not a {symbol.type}",
                      "score a derived number instead")
        if (ch.reason_code is None) != (ch.reason is None):
            ctx.error("reason", loc + ("reason_code" if ch.reason_code is None else "reason",), path,
                      "a reason code needs its text and a text its code",
                      "give both `reason_code` and `reason` (zh and en), or neither")


def _second(ctx: CheckContext) -> None:
    """The second scorecard's grades (best first, an open last one) and its matrix: a final band for every
    band of the first score and grade of the second."""
    from .decision import ordered

    second = ctx.spec.scorecard.second
    ordered(ctx, second.grades, ("scorecard", "second", "grades"), "scorecard.second.grades", "grade")
    bands = [b.id for b in ctx.spec.decision.bands]
    grades = [g.id for g in second.grades]
    loc, path = ("scorecard", "second", "matrix"), "scorecard.second.matrix"
    for band in second.matrix:
        if band not in bands:
            ctx.error("matrix", loc + (band,), f"{path}[{band}]", f"unknown band {band!r}", did_you_mean(band, bands))
    for band in bands:
        row = second.matrix.get(band)
        if row is None:
            ctx.error("matrix", loc, f"{path}[{band}]", f"no row for band {band!r} of the first score",
                      "every band of the first score needs a final band for every grade of the second")
            continue
        for grade, final in row.items():
            if grade not in grades:
                ctx.error("matrix", loc + (band, grade), f"{path}[{band}][{grade}]", f"unknown grade {grade!r}",
                          did_you_mean(grade, grades) or f"grades: {', '.join(grades)}")
            elif final not in bands:
                ctx.error("matrix", loc + (band, grade), f"{path}[{band}][{grade}]",
                          f"unknown final band {final!r}", did_you_mean(final, bands) or f"bands: {', '.join(bands)}")
        for grade in grades:
            if grade not in row:
                ctx.error("matrix", loc + (band,), f"{path}[{band}][{grade}]",
                          f"no final band for band {band!r} and grade {grade!r}")


MAX_ODDS_DOUBLINGS = 20
"""Declared scaling whose possible scores span more doublings of the odds than this (a PD ratio above a
million between the best and the worst applicant) was not fitted."""


def _scaling(ctx: CheckContext) -> None:
    """Warn when PD read off the scorecard would be wrong: the points changed after the calibration was
    fitted, the declared scaling contradicts the calibration, or (without a calibration) the declared scaling
    gives the bins an implausible spread of risk."""
    card = ctx.spec.scorecard
    s, cal = card.scaling, card.calibration
    loc, hint = ("scorecard", "calibration"), "run `loanstudio scorecard calibrate` on recent outcomes"
    if card.second is not None and (cal is None or cal.second_slope is None):
        ctx.warn("scaling", loc, "scorecard.calibration",
                 "the product has a second scorecard but no PD fitted on both scores: the PD decisions carry is "
                 "read off the first score alone", "fit one with `loanstudio scorecard calibrate`")
    if cal is not None:
        if cal.points_hash is not None and cal.points_hash != card.points_hash():
            ctx.warn("scaling", loc + ("points_hash",), "scorecard.calibration.points_hash",
                     "the points changed after the PD calibration was fitted: the PD decisions carry is stale", hint)
        if cal.second_slope is not None:  # the first score's slope is partial: no scaling to compare it with
            return
        fitted_pdo = -math.log(2) / float(cal.slope)
        odds = math.exp(-(float(cal.intercept) + float(cal.slope) * s.base_score))
        if abs(fitted_pdo / float(s.pdo) - 1) > 0.05 or abs(odds / float(s.base_odds) - 1) > 0.1:
            ctx.warn("scaling", ("scorecard", "scaling"), "scorecard.scaling",
                     f"the declared scaling (PDO {s.pdo}, odds {s.base_odds}:1 at {s.base_score}) contradicts the "
                     f"calibration (PDO {fitted_pdo:.1f}, odds {odds:.3g}:1 at {s.base_score})",
                     "write the scaling from the calibration (`loanstudio scorecard calibrate` does)")
        return
    low = card.base_points + sum(_points_range(ch)[0] for ch in card.characteristics)
    high = card.base_points + sum(_points_range(ch)[1] for ch in card.characteristics)
    doublings = (high - low) / float(s.pdo)
    if doublings > MAX_ODDS_DOUBLINGS:
        ctx.warn("scaling", ("scorecard", "scaling"), "scorecard.scaling",
                 f"scores run from {low} to {high}: {doublings:.0f} doublings of the odds at the declared PDO {s.pdo}, "
                 "so PD read off the scaling spans more than a millionfold; the scaling was not fitted to these points",
                 "train the scorecard (`loanstudio scorecard train`) or fit its PD (`loanstudio scorecard calibrate`)")


def _points_range(ch) -> tuple[int, int]:
    points = [b.points for b in ch.bins] + [ch.missing_points]
    return min(points), max(points)


def _numeric_bins(ctx: CheckContext, ch, path, loc, low, high) -> None:
    bins = ch.bins
    for j, b in enumerate(bins):
        bpath, bloc = f"{path}.bins[{j}]", loc + ("bins", j)
        if b.values is not None:
            ctx.error("bins", bloc, bpath, "a numeric characteristic has intervals, not values")
            return
        if b.lower is not None and b.upper is not None and b.lower >= b.upper:
            ctx.error("bins", bloc, bpath, f"empty interval [{b.lower}, {b.upper})", "lower must be below upper")
        if j > 0 and bins[j - 1].upper != b.lower:
            ctx.error("bins", bloc + ("lower",), bpath + ".lower",
                      f"bins are not contiguous: previous upper {bins[j - 1].upper}, this lower {b.lower}",
                      "each bin starts where the previous one ends")
    first, last = bins[0].lower, bins[-1].upper
    if first is not None and (low is None or first > low):
        ctx.error("bins", loc + ("bins", 0, "lower"), f"{path}.bins[0].lower",
                  f"values below {first} fall in no bin", "leave the first lower bound empty")
    if last is not None and (high is None or last <= high):
        ctx.error("bins", loc + ("bins", len(bins) - 1, "upper"), f"{path}.bins[{len(bins) - 1}].upper",
                  f"values from {last} up fall in no bin", "leave the last upper bound empty")


def _category_bins(ctx: CheckContext, ch, path, loc, categories) -> None:
    covered: list[str] = []
    for j, b in enumerate(ch.bins):
        bpath, bloc = f"{path}.bins[{j}]", loc + ("bins", j)
        if b.values is None or b.lower is not None or b.upper is not None:
            ctx.error("bins", bloc, bpath, "a category characteristic has values, not intervals")
            return
        for value in b.values:
            if value not in categories:
                ctx.error("bins", bloc + ("values",), bpath + ".values", f"unknown category {value!r}",
                          did_you_mean(value, categories))
            elif value in covered:
                ctx.error("bins", bloc + ("values",), bpath + ".values", f"category {value!r} in two bins")
            covered.append(value)
    missing = [c for c in categories if c not in covered]
    if missing:
        ctx.error("bins", loc + ("bins",), path + ".bins", "categories in no bin: " + ", ".join(missing))
