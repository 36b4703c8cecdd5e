"""Altair charts of a spec and of a simulation (the same figures the HTML report draws)."""

from __future__ import annotations

import altair as alt
import pandas as pd

__all__ = ["bars", "grid", "timeline", "funnel", "waterfall", "score_distribution", "grouped_outcomes",
           "bad_rate_by_band", "histogram", "vintage", "stacked_counts", "dot_text"]

OUTCOME_COLOURS = alt.Scale(domain=["approve", "refer", "decline"], range=["#2e7d32", "#f9a825", "#c62828"])


def bars(frame: pd.DataFrame, x: str, y: str, title: str, colour: str | None = None):
    enc = {"x": alt.X(x, sort=None, title=None), "y": alt.Y(y, title=None), "tooltip": list(frame.columns)}
    if colour:
        enc["color"] = alt.Color(colour, title=None)
    return alt.Chart(frame, title=title).mark_bar().encode(**enc).properties(height=260)


def grid(frame: pd.DataFrame, row: str, column: str, value: str, title: str, outcome: bool = False,
         label: str | None = None):
    """A coloured grid: outcome cells coloured approve/refer/decline, or numbers on a scale."""
    base = alt.Chart(frame, title=title).encode(x=alt.X(f"{column}:N", sort=None, title=None),
                                                y=alt.Y(f"{row}:N", sort=None, title=None))
    colour = (alt.Color(f"{value}:N", scale=OUTCOME_COLOURS, title=None) if outcome
              else alt.Color(f"{value}:Q", scale=alt.Scale(scheme="yelloworangered"), title=None))
    rect = base.mark_rect().encode(color=colour, tooltip=list(frame.columns))
    text = base.mark_text(color="black").encode(text=alt.Text(f"{label or value}:N"))
    return (rect + text).properties(height=max(120, 40 * frame[row].nunique()))


def timeline(frame: pd.DataFrame, title: str):
    """Collection actions on a day axis, one lane per DPD bucket."""
    base = alt.Chart(frame, title=title).encode(x=alt.X("day:Q", title=None), y=alt.Y("bucket:N", sort=None, title=None))
    return (base.mark_point(filled=True, size=120) + base.mark_text(dy=-12).encode(text="action:N")
            ).properties(height=max(140, 50 * frame["bucket"].nunique()))


def funnel(frame: pd.DataFrame, title: str):
    return alt.Chart(frame, title=title).mark_bar().encode(
        y=alt.Y("step:N", sort=None, title=None), x=alt.X("count:Q", title=None),
        tooltip=["step", "count", alt.Tooltip("rate:Q", format=".1%")]).properties(height=220)


def waterfall(frame: pd.DataFrame, title: str):
    """Rule waterfall: each rule's first hits, stacked from the applicants left before it."""
    return alt.Chart(frame, title=title).mark_bar().encode(
        x=alt.X("rule:N", sort=None, title=None), y=alt.Y("start:Q", title=None), y2="end:Q",
        color=alt.Color("action:N", scale=OUTCOME_COLOURS, title=None),
        tooltip=["rule", "name", "first_hits", "hits", "remaining"]).properties(height=280)


def score_distribution(frame: pd.DataFrame, cutoffs: pd.DataFrame, title: str):
    """Applicants per score bin by outcome, with the band cut-offs as vertical rules."""
    long = frame.melt(id_vars=["lower", "upper"], value_vars=["approve", "refer", "decline"], var_name="outcome",
                      value_name="applicants")
    bars_ = alt.Chart(long).mark_bar().encode(
        x=alt.X("lower:Q", bin=alt.Bin(binned=True), title=None), x2="upper:Q",
        y=alt.Y("applicants:Q", stack=True, title=None),
        color=alt.Color("outcome:N", scale=OUTCOME_COLOURS, title=None), tooltip=["lower", "upper", "outcome", "applicants"])
    rules = alt.Chart(cutoffs).mark_rule(strokeDash=[4, 3], color="black").encode(x="min_score:Q", tooltip=["band", "min_score"])
    labels = alt.Chart(cutoffs).mark_text(dy=-6, align="left", dx=3).encode(x="min_score:Q", y=alt.value(0), text="band:N")
    return (bars_ + rules + labels).properties(title=title, height=280)


def grouped_outcomes(frame: pd.DataFrame, title: str):
    long = frame.melt(id_vars=["group"], value_vars=["approve", "refer", "decline"], var_name="outcome",
                      value_name="applicants")
    return alt.Chart(long, title=title).mark_bar().encode(
        y=alt.Y("group:N", sort=None, title=None), x=alt.X("applicants:Q", stack="normalize", title=None),
        color=alt.Color("outcome:N", scale=OUTCOME_COLOURS, title=None),
        tooltip=["group", "outcome", "applicants"]).properties(height=max(120, 30 * frame["group"].nunique()))


def bad_rate_by_band(frame: pd.DataFrame, title: str):
    return alt.Chart(frame, title=title).mark_bar(color="#6a1b9a").encode(
        x=alt.X("band:N", sort=None, title=None), y=alt.Y("bad_rate:Q", axis=alt.Axis(format="%"), title=None),
        tooltip=["band", alt.Tooltip("bad_rate:Q", format=".2%"), "applicants"]).properties(height=240)


def histogram(frame: pd.DataFrame, title: str, fmt: str):
    return alt.Chart(frame, title=title).mark_bar().encode(
        x=alt.X("lower:Q", bin=alt.Bin(binned=True), axis=alt.Axis(format=fmt), title=None), x2="upper:Q",
        y=alt.Y("count:Q", title=None), tooltip=["lower", "upper", "count"]).properties(height=220)


def vintage(frame: pd.DataFrame, title: str):
    """Cumulative M3+ by months on book, one line per series (all loans, each band)."""
    return alt.Chart(frame, title=title).mark_line(point=True).encode(
        x=alt.X("month:Q", title=None), y=alt.Y("rate:Q", axis=alt.Axis(format="%"), title=None),
        color=alt.Color("series:N", title=None),
        tooltip=["series:N", "month:Q", alt.Tooltip("rate:Q", format=".2%")]).properties(height=280)


def stacked_counts(frame: pd.DataFrame, x: str, stack: str, value: str, title: str):
    """Counts per x, stacked by kind (collection steps per month)."""
    return alt.Chart(frame, title=title).mark_bar().encode(
        x=alt.X(f"{x}:O", title=None, axis=alt.Axis(labelAngle=0)), y=alt.Y(f"{value}:Q", stack=True, title=None),
        color=alt.Color(f"{stack}:N", title=None), tooltip=list(frame.columns)).properties(height=260)


def dot_text(value) -> str:
    """Text for a Graphviz label: quoted, with quotes, backslashes and line breaks neutralised."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{text[:80]}"'
