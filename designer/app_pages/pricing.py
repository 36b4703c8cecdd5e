"""Pricing: base APR, spreads by band and segment, conditional adjustments, floor and cap; the APR grid."""

from decimal import Decimal, InvalidOperation

import pandas as pd
import streamlit as st

from designer.web import charts, spec_view, state
from designer.web import widgets as w
from designer.web.state import tr


def adjustment(loc, item):
    w.text(loc + ("id",), tr("col.id"), max_chars=64)
    w.bitext(loc + ("name",), tr("col.name"))
    w.rule(loc + ("when",), tr("pricing.when"), spec_view.rule_fields())
    w.number(loc + ("spread",), tr("pricing.spread"), -100, 100, 0.05, optional=False, fmt="%.2f", percent=True)


def number(value) -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def apr_grid():
    p = state.get(("pricing",)) or {}
    base, floor, cap = number(p.get("base_apr")), number(p.get("floor")), number(p.get("cap"))
    band_spreads = p.get("band_spreads") if isinstance(p.get("band_spreads"), dict) else {}
    seg_spreads = p.get("segment_spreads") if isinstance(p.get("segment_spreads"), dict) else {}
    rows = []
    for seg in spec_view.segment_ids():
        for band in spec_view.band_ids():
            apr = base + number(band_spreads.get(band)) + number(seg_spreads.get(seg))
            apr = min(max(apr, floor), cap) if cap >= floor else apr
            rows.append({"segment": seg, "band": band, "apr": float(apr), "label": f"{float(apr):.2%}"})
    if rows:
        st.altair_chart(charts.grid(pd.DataFrame(rows), "segment", "band", "apr", tr("pricing.grid_chart"),
                                    label="label"), width="stretch")
    product_cap = number(state.get(("product", "apr_cap")))
    st.caption(tr("pricing.caps", cap=f"{float(cap):.2%}", floor=f"{float(floor):.2%}",
                  regulatory=f"{float(product_cap):.2%}"))


st.header(tr("page.pricing"))
if w.need_product():
    st.caption(tr("pricing.intro"))
    w.section_findings("pricing")
    c1, c2, c3 = st.columns(3)
    with c1:
        w.number(("pricing", "base_apr"), tr("pricing.base_apr"), 0, 100, 0.05, optional=False, fmt="%.2f", percent=True)
    with c2:
        w.number(("pricing", "floor"), tr("pricing.floor"), 0, 100, 0.05, optional=False, fmt="%.2f", percent=True)
    with c3:
        w.number(("pricing", "cap"), tr("pricing.cap"), 0, 100, 0.05, optional=False, fmt="%.2f", percent=True)
    st.subheader(tr("pricing.band_spreads"))
    cols = st.columns(max(1, len(spec_view.band_ids())))
    for col, band in zip(cols, spec_view.band_ids(), strict=False):
        with col:
            w.number(("pricing", "band_spreads", band), w.md(band), -100, 100, 0.05, fmt="%.2f", percent=True)
    st.subheader(tr("pricing.segment_spreads"))
    cols = st.columns(max(1, len(spec_view.segment_ids())))
    for col, seg in zip(cols, spec_view.segment_ids(), strict=False):
        with col:
            w.number(("pricing", "segment_spreads", seg), w.md(seg), -100, 100, 0.05, fmt="%.2f", percent=True)
    st.subheader(tr("pricing.grid"))
    apr_grid()
    st.subheader(tr("pricing.adjustments"))
    w.item_list(("pricing", "adjustments"), lambda item, i: f"{item.get('id') or i + 1} · {item.get('when') or ''}",
                adjustment, lambda: {"id": "new_adjustment", "name": {"zh": "新调整", "en": "New adjustment"},
                                     "when": "", "spread": 0})
