"""Decision: score bands (cut-offs), the segment x band matrix as a coloured grid, manual-review triggers."""

import pandas as pd
import streamlit as st

from designer.web import charts, spec_view, state
from designer.web import widgets as w
from designer.web.state import tr
from product_specs.sections import Outcome


def trigger(loc, item):
    w.text(loc + ("code",), tr("col.code"), max_chars=32)
    w.bitext(loc + ("name",), tr("col.name"))
    w.rule(loc + ("when",), tr("decision.trigger_when"), spec_view.rule_fields())
    w.bitext(loc + ("reason",), tr("admission.reason"))


def matrix():
    segments, bands = spec_view.segment_ids(), spec_view.band_ids()
    current = state.get(("decision", "matrix")) or {}
    outcomes = [o.value for o in Outcome]
    cells = []
    for seg in segments:
        cols = st.columns([2] + [1] * len(bands))
        cols[0].markdown(f"**{w.md(seg)}**")
        for col, band in zip(cols[1:], bands, strict=True):
            with col:
                w.choice(("decision", "matrix", seg, band), w.md(band), outcomes, labels=lambda v: tr(f"outcome.{v}"))
            row = current.get(seg) if isinstance(current.get(seg), dict) else {}
            cells.append({"segment": seg, "band": band, "outcome": str(row.get(band, "—"))})
    if cells:
        frame = pd.DataFrame(cells)
        st.altair_chart(charts.grid(frame, "segment", "band", "outcome", tr("decision.matrix_chart"), outcome=True),
                        width="stretch")


st.header(tr("page.decision"))
if w.need_product():
    w.section_findings("decision")
    st.subheader(tr("decision.bands"))
    st.caption(tr("decision.bands_intro"))
    if state.get(("scorecard", "second")) is not None:
        st.info(tr("decision.bands_two_models"))
    bands = spec_view.items("decision", "bands")
    for i in range(len(bands)):
        w.ranked_row(("decision", "bands", i), tr("decision.min_score"))
    st.subheader(tr("decision.matrix"))
    matrix()
    st.subheader(tr("decision.triggers"))
    w.item_list(("decision", "review_triggers"),
                lambda item, i: f"{item.get('code') or i + 1} · {spec_view.text_of(item.get('name'))}", trigger,
                lambda: {"code": "T99", "name": {"zh": "新触发条件", "en": "New trigger"}, "when": "",
                         "reason": {"zh": "请填写原因", "en": "Write the reason"}})
    with st.expander(tr("decision.codes")):
        c1, c2 = st.columns(2)
        with c1:
            w.text(("decision", "decline_code"), tr("decision.decline_code"), optional=True, max_chars=32)
            w.bitext(("decision", "decline_reason"), tr("decision.decline_reason"), optional=True)
        with c2:
            w.text(("decision", "refer_code"), tr("decision.refer_code"), optional=True, max_chars=32)
            w.bitext(("decision", "refer_reason"), tr("decision.refer_reason"), optional=True)
