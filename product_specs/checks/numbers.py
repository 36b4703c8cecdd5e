"""Every number in the spec is finite and small enough for a double to hold it exactly enough; scorecard
points are small enough that every score fits the simulation's 32-bit integers, so the Python decision and
the SQL simulation always agree."""

from __future__ import annotations

from decimal import Decimal

from .. import limits
from ..io import item_path
from .context import CheckContext

__all__ = ["check", "LARGEST"]

LARGEST = Decimal(limits.SPEC_MAX_NUMBER)  # amounts, rates and bounds: far inside the 2**53 a double holds exactly
_POINTS = limits.SPEC_MAX_POINTS


def check(ctx: CheckContext) -> None:
    def walk(value, loc: tuple) -> None:
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            if not Decimal(value).is_finite() or abs(value) > LARGEST:
                path = item_path(data, loc)
                ctx.error("number", loc, path, f"{value} is not a usable number",
                          f"numbers in a spec lie between -{LARGEST:,} and {LARGEST:,}")
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, loc + (key,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, loc + (i,))

    data = ctx.spec.model_dump(mode="python")
    walk(data, ())
    if not ctx.findings:
        _points(ctx, data)


def _points(ctx: CheckContext, data: dict) -> None:
    card = ctx.spec.scorecard
    cards = [(("scorecard",), card.base_points, card.characteristics)]
    if card.second is not None:
        cards.append((("scorecard", "second"), card.second.base_points, card.second.characteristics))
    places = []
    for at, base, characteristics in cards:
        places.append((at + ("base_points",), base))
        for i, ch in enumerate(characteristics):
            places.append((at + ("characteristics", i, "missing_points"), ch.missing_points))
            places += [(at + ("characteristics", i, "bins", j, "points"), b.points) for j, b in enumerate(ch.bins)]
    places += [(("decision", "bands", j, "min_score"), b.min_score) for j, b in enumerate(ctx.spec.decision.bands)]
    if card.second is not None:
        places += [(("scorecard", "second", "grades", j, "min_score"), g.min_score)
                   for j, g in enumerate(card.second.grades)]
    places += [(("tests", j, "expect", "score"), t.expect.score) for j, t in enumerate(ctx.spec.tests)]
    for loc, value in places:
        if value is not None and abs(value) > _POINTS:
            ctx.error("number", loc, item_path(data, loc), f"{value:,} points is beyond the scorecard's range",
                      f"points and scores lie between -{_POINTS:,} and {_POINTS:,}")
    if ctx.findings:
        return
    for at, base, characteristics in cards:
        reach = abs(base) + sum(max([abs(ch.missing_points)] + [abs(b.points) for b in ch.bins])
                                for ch in characteristics)
        if reach > limits.SCORE_MAX:
            ctx.error("number", at, ".".join(at), f"a score can reach {reach:,} points",
                      f"keep every score within {limits.SCORE_MAX:,}: the simulation adds points as 32-bit integers")
