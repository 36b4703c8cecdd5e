"""Scorecard & cut-offs: move the band cut-offs with sliders, simulate, and watch approval, bad rate and
expected loss move on the frontier. Training a scorecard comes with the risk-analytics issue."""

import pandas as pd
import streamlit as st

from designer import use_cases
from designer.web import state
from designer.web import widgets as w
from designer.web.state import tr


def slider(i, band):
    key = state.widget_key(("decision", "bands", i, "min_score"), "slider")
    if key not in st.session_state:
        st.session_state[key] = int(band["min_score"])
    st.slider(w.md(band.get("id")), 0, 1500, key=key, on_change=lambda: state.put(
        ("decision", "bands", i, "min_score"), int(st.session_state[key])))


st.header(tr("page.cutoffs"))
st.info(tr("cutoffs.training_later"), icon="ℹ️")
if w.need_product():
    bands = [b for b in (state.get(("decision", "bands")) or []) if isinstance(b, dict)]
    for i, band in enumerate(bands):
        if isinstance(band.get("min_score"), int):
            slider(i, band)
    checked = state.checked()
    st.session_state.setdefault("frontier", [])
    if checked is None:
        st.warning(tr("sim.fix_errors"), icon="⚠️")
    elif st.button(tr("cutoffs.simulate"), key="cutoffs_run", type="primary"):
        data = use_cases.default_data(checked, state.samples_dir())
        outcome = use_cases.simulate_product(checked, data.source)
        m = outcome.metrics
        cut = ", ".join(f"{b.id}≥{b.min_score}" for b in checked.spec.decision.bands if b.min_score is not None)
        st.session_state.frontier.append({"cutoffs": cut, "approval_rate": m.value("approval_rate"),
                                          "bad_rate_approved": m.value("bad_rate_approved"),
                                          "expected_loss_rate": m.value("expected_loss_rate_approved")})
    if st.session_state.frontier:
        import altair as alt

        frame = pd.DataFrame(st.session_state.frontier)
        last = frame.iloc[-1]
        c1, c2, c3 = st.columns(3)
        c1.metric(tr("cutoffs.approval"), f"{last['approval_rate']:.2%}")
        c2.metric(tr("cutoffs.bad_rate"), "—" if pd.isna(last["bad_rate_approved"]) else f"{last['bad_rate_approved']:.2%}")
        c3.metric(tr("cutoffs.el"), "—" if pd.isna(last["expected_loss_rate"]) else f"{last['expected_loss_rate']:.3%}")
        chart = alt.Chart(frame, title=tr("cutoffs.frontier")).mark_line(point=True).encode(
            x=alt.X("approval_rate:Q", axis=alt.Axis(format="%"), title=tr("cutoffs.approval")),
            y=alt.Y("bad_rate_approved:Q", axis=alt.Axis(format="%"), title=tr("cutoffs.bad_rate")),
            tooltip=["cutoffs", "approval_rate", "bad_rate_approved", "expected_loss_rate"])
        st.altair_chart(chart, width="stretch")
