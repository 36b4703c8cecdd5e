"""The scorecard: characteristics with their bins and points (editable), a chart of points per bin."""

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
    w.item_list(("scorecard", "characteristics"),
                lambda item, i: f"{item.get('field') or i + 1} · {len(item.get('bins') or [])} {tr('scorecard.bins')}",
                characteristic, lambda: {"field": (spec_view.field_names() or ["field"])[0], "bins": [{"points": 0}]},
                minimum=1)
