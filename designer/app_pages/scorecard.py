"""The scorecard: characteristics with their bins and points (editable), a chart of points per bin; and,
optionally, a second scorecard with its grades and the band x grade matrix giving the final band."""

import pandas as pd
import streamlit as st

from designer.web import charts, spec_view, state
from designer.web import widgets as w
from designer.web.state import tr

BIN_COLUMNS = None


def bin_label(b: dict) -> str:
    if isinstance(b.get("values"), list):
        return ", ".join(str(v) for v in b["values"])
    low = "" if b.get("lower") is None else b["lower"]
    high = "" if b.get("upper") is None else b["upper"]
    return f"[{low}, {high})"


def characteristic(loc, item):
    c1, c2 = st.columns(2)
    with c1:
        names = [f[0] for f in spec_view.rule_fields()]
        w.choice(loc + ("field",), tr("scorecard.field"), names)
    with c2:
        w.integer(loc + ("missing_points",), tr("scorecard.missing_points"), -1000, 1000)
    w.table(loc + ("bins",), [
        w.Col("lower", tr("col.lower"), "number"), w.Col("upper", tr("col.upper"), "number"),
        w.Col("values", tr("col.values"), "list", max_chars=2000),
        w.Col("points", tr("col.points"), "integer", required=True)])
    bins = [b for b in (state.get(loc + ("bins",)) or []) if isinstance(b, dict)]
    frame = pd.DataFrame({"bin": [bin_label(b) for b in bins],
                          "points": [b.get("points") if isinstance(b.get("points"), int) else 0 for b in bins]})
    if len(frame):
        st.altair_chart(charts.bars(frame, "bin:N", "points:Q", tr("scorecard.points_chart")), width="stretch")


def new_characteristic() -> dict:
    """A characteristic on the first number not scored yet (one bin that takes every value), which checks."""
    scored = {ch.get("field") for ch in spec_view.items("scorecard", "characteristics")}
    scored |= {ch.get("field") for ch in spec_view.items("scorecard", "second", "characteristics")}
    numbers = [name for name, kind, _ in spec_view.rule_fields() if kind in ("integer", "number")]
    free = [n for n in numbers if n not in scored]
    return {"field": (free or numbers or spec_view.field_names() or ["field"])[0], "bins": [{"points": 0}]}


def characteristics(loc) -> None:
    w.item_list(loc, lambda item, i: f"{item.get('field') or i + 1} · {len(item.get('bins') or [])} {tr('scorecard.bins')}",
                characteristic, new_characteristic, minimum=1)


def combination() -> None:
    """The band of the first score (rows) x the grade of the second (columns) -> the final band, as selects
    and a grid."""
    bands = spec_view.band_ids()
    grades = [g.get("id") for g in spec_view.items("scorecard", "second", "grades") if isinstance(g.get("id"), str)]
    current = state.get(("scorecard", "second", "matrix")) or {}
    cells = []
    for band in bands:
        cols = st.columns([2] + [1] * max(len(grades), 1))
        cols[0].markdown(f"**{w.md(band)}**")
        for col, grade in zip(cols[1:], grades, strict=False):
            with col:
                w.choice(("scorecard", "second", "matrix", band, grade), w.md(grade), bands)
            row = current.get(band) if isinstance(current.get(band), dict) else {}
            final = row.get(grade)
            cells.append({"band": band, "grade": grade, "final": str(final or "—"),
                          "rank": bands.index(final) if final in bands else len(bands)})
    if cells:
        st.altair_chart(charts.grid(pd.DataFrame(cells), "band", "grade", "rank", tr("scorecard.second_chart"),
                                    label="final"), width="stretch")


def add_second() -> None:
    bands = spec_view.band_ids() or ["a"]
    grades = [{"id": "g1", "name": {"zh": "一级", "en": "Grade 1"}, "min_score": 300},
              {"id": "g2", "name": {"zh": "二级", "en": "Grade 2"}}]
    state.put(("scorecard", "second"), {
        "name": {"zh": "第二评分卡", "en": "Second scorecard"}, "base_points": 0,
        "characteristics": [new_characteristic()], "grades": grades,
        "matrix": {b: {g["id"]: b for g in grades} for b in bands}})
    state.bump()


def remove_second() -> None:
    """Remove the second scorecard, and the PD's slope for its score with it (a slope for a score the
    product no longer has is an error)."""
    state.put(("scorecard", "second"), None)
    calibration = state.get(("scorecard", "calibration"))
    if isinstance(calibration, dict) and "second_slope" in calibration:
        state.put(("scorecard", "calibration"), {k: v for k, v in calibration.items() if k != "second_slope"})
    state.bump()


def second_scorecard() -> None:
    st.subheader(tr("scorecard.second"))
    st.caption(tr("scorecard.second_intro"))
    if state.get(("scorecard", "second")) is None:
        st.button(tr("scorecard.second_add"), key="scorecard_second_add", on_click=add_second)
        return
    w.bitext(("scorecard", "second", "name"), tr("col.name"))
    w.integer(("scorecard", "second", "base_points"), tr("scorecard.base_points"), -10000, 10000)
    characteristics(("scorecard", "second", "characteristics"))
    st.markdown(f"**{tr('scorecard.grades')}**")
    grades = spec_view.items("scorecard", "second", "grades")
    for i in range(len(grades)):
        w.ranked_row(("scorecard", "second", "grades", i), tr("decision.min_score"))
    c1, c2 = st.columns(2)
    c1.button(tr("scorecard.grade_add"), key="scorecard_grade_add", on_click=_add_grade)
    c2.button(tr("scorecard.grade_delete"), key="scorecard_grade_delete", on_click=_delete_grade,
              disabled=len(grades) <= 2)
    st.markdown(f"**{tr('scorecard.combination')}**")
    combination()
    if state.get(("scorecard", "calibration")) is not None:  # the PD's slope per point of the second score
        w.number(("scorecard", "calibration", "second_slope"), tr("scorecard.second_slope"), -10, 0, 0.0001,
                 fmt="%.8f")
    st.button(tr("scorecard.second_remove"), key="scorecard_second_remove", on_click=remove_second)


def _add_grade() -> None:
    grades = list(state.get(("scorecard", "second", "grades")) or [])
    n = len(grades) + 1
    grades.append({"id": f"g{n}", "name": {"zh": f"{n}级", "en": f"Grade {n}"}})
    if len(grades) >= 2 and isinstance(grades[-2], dict) and grades[-2].get("min_score") is None:
        grades[-2]["min_score"] = 0  # the last grade catches everyone below; the one before needs a minimum now
    state.put(("scorecard", "second", "grades"), grades)
    state.bump()


def _delete_grade() -> None:
    grades = list(state.get(("scorecard", "second", "grades")) or [])
    if len(grades) > 2:
        grades.pop()
        if isinstance(grades[-1], dict):
            grades[-1].pop("min_score", None)
        state.put(("scorecard", "second", "grades"), grades)
        state.bump()


st.header(tr("page.scorecard"))
if w.need_product():
    st.caption(tr("scorecard.intro"))
    w.section_findings("scorecard")
    w.bitext(("scorecard", "name"), tr("col.name"))
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        w.integer(("scorecard", "base_points"), tr("scorecard.base_points"), -10000, 10000)
    with c2:
        w.integer(("scorecard", "scaling", "base_score"), tr("scorecard.base_score"), 0, 10000)
    with c3:
        w.number(("scorecard", "scaling", "base_odds"), tr("scorecard.base_odds"), 0, 10000, 1)
    with c4:
        w.number(("scorecard", "scaling", "pdo"), tr("scorecard.pdo"), 0, 1000, 1)
    characteristics(("scorecard", "characteristics"))
    second_scorecard()
