"""The `scorecard` section: characteristics with bins and points, and the scaling they were built with."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from pydantic import Field

from .common import Code, Ident, SpecModel, Text

__all__ = ["Bin", "Characteristic", "Scaling", "Calibration", "Grade", "SecondScorecard", "Scorecard",
           "MAX_SCORE_REASONS"]

MAX_SCORE_REASONS = 10
"""Most scorecard reasons a declined applicant can be given."""
DEFAULT_SCORE_REASONS = 4
"""Scorecard reasons a declined applicant is given when `max_reasons` is empty (four, as US adverse-action
notices do)."""


class Bin(SpecModel):
    """One attribute of a characteristic: a numeric interval [lower, upper) or a set of categories."""

    lower: Decimal | None = None
    """Inclusive lower bound; empty means no lower bound."""
    upper: Decimal | None = None
    """Exclusive upper bound; empty means no upper bound."""
    values: list[str] | None = None
    """Categories in this bin (category fields only)."""
    points: int
    """Points awarded when the value falls in this bin."""


class Characteristic(SpecModel):
    """A scored variable: its bins are tried in order and must cover every value the field can take."""

    field: Ident
    """Field or derived feature scored."""
    bins: list[Bin] = Field(min_length=1)
    """Bins in ascending order (numeric) or any order (categories)."""
    missing_points: int = 0
    """Points when the value is null."""
    reason_code: Code | None = None
    """Adverse-action reason code a declined applicant is given when this characteristic cost them points
    (e.g. S01); empty: the characteristic is never given as a reason."""
    reason: Text | None = None
    """The adverse-action text of `reason_code`, in Chinese and English (required with a reason code)."""


class Scaling(SpecModel):
    """How points relate to odds: score = base_score + pdo / ln 2 x ln(odds / base_odds). Written from the fit
    by `loanstudio scorecard train`; typed by hand it is an assumption, and without a `calibration` the PD a
    decision carries is read off it."""

    base_score: int = 600
    """Score at the base odds."""
    base_odds: Decimal = Field(default=Decimal(50), gt=0)
    """Good:bad odds at the base score."""
    pdo: Decimal = Field(default=Decimal(20), gt=0)
    """Points to double the odds."""


class Calibration(SpecModel):
    """The score-to-PD mapping fitted on outcomes: PD = 1 / (1 + exp(-(intercept + slope x score))).

    Written by `loanstudio scorecard train` (from the fit) or `scorecard calibrate` (on newer outcomes); every
    decision carries the PD it gives. `check` warns when the points change after the fit."""

    intercept: Decimal
    """Log-odds of going bad at score 0."""
    slope: Decimal = Field(lt=0)
    """Change of the log-odds of going bad per point (negative: a higher score is less risky)."""
    second_slope: Decimal | None = Field(default=None, lt=0)
    """With a second scorecard (and only then): the change of the log-odds per point of the second score,
    so PD = 1 / (1 + exp(-(intercept + slope x score + second_slope x second score))), both fitted together."""
    fitted_on: str | None = Field(default=None, max_length=500)
    """What the mapping was fitted on (data, rows, bad rate), for the reader."""
    points_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{16}$")
    """Fingerprint of the base points, bins and points the mapping was fitted for; `check` warns when the
    scorecard no longer matches it."""


class Grade(SpecModel):
    """A grade of the second score. Grades are listed best first; a score falls in the first whose minimum is
    met."""

    id: Ident
    """Grade identifier."""
    name: Text
    """Grade name."""
    min_score: int | None = None
    """Lowest second score in the grade; empty on the last grade (everyone below)."""


class SecondScorecard(SpecModel):
    """A second model scored on its own data (the firm's tax filings beside the owner's personal bureau
    report, say), graded, and combined with the first by a matrix (多元矩阵): the band of the first score and
    the grade of the second give the final band that prices, limits and decides."""

    name: Text
    """Scorecard name."""
    base_points: int = 0
    """Points every applicant starts with."""
    characteristics: list[Characteristic] = Field(min_length=1)
    """Scored variables (none scored by the first scorecard too)."""
    grades: list[Grade] = Field(min_length=2)
    """Grades of the second score, best first."""
    matrix: dict[str, dict[str, str]]
    """The final band for every band of the first score (rows) and grade of the second (columns)."""


class Scorecard(SpecModel):
    """An additive points scorecard (评分卡)."""

    name: Text
    """Scorecard name."""
    base_points: int = 0
    """Points every applicant starts with."""
    characteristics: list[Characteristic] = Field(min_length=1)
    """Scored variables."""
    scaling: Scaling = Scaling()
    """Points-to-odds scaling."""
    calibration: Calibration | None = None
    """Score-to-PD mapping fitted on outcomes; empty: PD is read off the declared `scaling`."""
    max_reasons: int | None = Field(default=None, ge=0, le=MAX_SCORE_REASONS)
    """Most scorecard reasons (characteristics with a reason code that cost most points, ranked) a
    declined applicant is given after the other reasons; empty: 4."""
    second: SecondScorecard | None = None
    """A second scorecard combined with this one by a matrix; empty: the band is read off this score alone."""

    def all_characteristics(self) -> list[tuple[int, int, Characteristic]]:
        """(model 1 or 2, index within its scorecard, characteristic) of both scorecards, the first's first."""
        out = [(1, i, ch) for i, ch in enumerate(self.characteristics)]
        if self.second is not None:
            out += [(2, i, ch) for i, ch in enumerate(self.second.characteristics)]
        return out

    @property
    def reasons_given(self) -> int:
        """`max_reasons`, or 4 when empty."""
        return DEFAULT_SCORE_REASONS if self.max_reasons is None else self.max_reasons

    def points_hash(self) -> str:
        """Fingerprint of what decides a score (base points, fields, bins, points, of both scorecards when
        there are two): 16 hex digits."""
        def plain(value):
            return None if value is None else format(value.normalize(), "f") if isinstance(value, Decimal) else value

        def card(base, characteristics):
            return [base] + [[ch.field, ch.missing_points,
                              [[plain(b.lower), plain(b.upper), b.values, b.points] for b in ch.bins]]
                             for ch in characteristics]

        content = card(self.base_points, self.characteristics)
        if self.second is not None:  # the first scorecard alone keeps the fingerprint it always had
            content = [content, card(self.second.base_points, self.second.characteristics)]
        return hashlib.sha256(json.dumps(content, separators=(",", ":")).encode()).hexdigest()[:16]
