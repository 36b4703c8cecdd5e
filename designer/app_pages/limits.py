"""Limits: the amount formula, multipliers by band and segment, minimum, maximum, rounding step."""

import streamlit as st

from designer.web import spec_view
from designer.web import widgets as w
from designer.web.state import tr

st.header(tr("page.limits"))
if w.need_product():
    st.caption(tr("limits.intro"))
    w.section_findings("limits")
    w.rule(("limits", "amount"), tr("limits.amount"), spec_view.rule_fields())
    c1, c2, c3 = st.columns(3)
    with c1:
        w.number(("limits", "min"), tr("limits.min"), 0, 1e15, 1000, optional=False, fmt="%.0f")
    with c2:
        w.number(("limits", "max"), tr("limits.max"), 0, 1e15, 1000, optional=False, fmt="%.0f")
    with c3:
        w.number(("limits", "step"), tr("limits.step"), 0, 1e15, 100, fmt="%.0f")
    w.choice(("limits", "requested_field"), tr("limits.requested_field"), spec_view.field_names(), optional=True)
    st.subheader(tr("limits.band_multipliers"))
    cols = st.columns(max(1, len(spec_view.band_ids())))
    for col, band in zip(cols, spec_view.band_ids(), strict=False):
        with col:
            w.number(("limits", "band_multipliers", band), w.md(band), 0, 100, 0.1, fmt="%.2f")
    st.subheader(tr("limits.segment_multipliers"))
    cols = st.columns(max(1, len(spec_view.segment_ids())))
    for col, seg in zip(cols, spec_view.segment_ids(), strict=False):
        with col:
            w.number(("limits", "segment_multipliers", seg), w.md(seg), 0, 100, 0.1, fmt="%.2f")
