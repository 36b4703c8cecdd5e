"""Scorecard & cut-offs: train the scorecard (either of two) or refit its PD on the product's sample, and
take the result into the draft; move the band cut-offs with sliders, simulate, and watch approval, bad rate
and expected loss move on the frontier. The same functions as `loanstudio scorecard train | calibrate`."""

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


def training(checked) -> None:
    """Train a scorecard or refit the PD on the product's default sample; show the model figures; apply."""
    from product_specs import dump_spec
    from validation.model.features import ModelDataError
    from validation.model.scorecard import TrainOptions

    st.subheader(tr("train.title"))
    st.caption(tr("train.intro"))
    models = ["first"] + (["second"] if checked.spec.scorecard.second is not None else [])
    labels = [tr(f"train.model_{m}") for m in models]
    chosen = st.radio(tr("train.model"), labels, horizontal=True, key=f"train_model_{state.lang()}")
    model = models[labels.index(chosen)] if chosen in labels else "first"
    c1, c2 = st.columns(2)
    train, calibrate = c1.button(tr("train.run"), key="train_run"), c2.button(tr("train.calibrate"), key="train_cal")
    if train or calibrate:
        data = use_cases.default_data(checked, state.samples_dir())
        try:
            with st.spinner(tr("train.running", data=data.description)):
                if train:
                    result = use_cases.train_product(checked, data.source,
                                                     TrainOptions(source=data.description, model=model))
                    report = result.report
                    lines = [tr("train.quality", split=split, auc=q.auc, ks=q.ks, rows=q.rows)
                             for split, q in (("train", report.train), ("test", report.test))
                             if q is not None and q.auc is not None and q.ks is not None]
                    lines += report.notes + [tr("train.example", line=line) for line in result.changed_examples]
                    rows = [(c.group, c.count, c.predicted_pd, c.observed_bad_rate) for c in report.calibration]
                    new_spec = result.spec
                else:
                    new_spec, recal = use_cases.calibrate_product(checked, data.source, "bad_flag", data.description)
                    lines = [tr("train.recalibrated", rows=recal.rows, bads=recal.bads)]
                    rows = [(c.group, c.count, c.predicted_pd, c.observed_bad_rate) for c in recal.by_band]
        except (ModelDataError, ValueError) as err:
            st.error(w.md(str(err)), icon="⛔")
        else:
            st.session_state.trained = (checked.spec_hash, dump_spec(new_spec), lines, rows)
    found = st.session_state.get("trained")
    if found and found[0] == checked.spec_hash:
        _, text, lines, rows = found
        for line in lines:
            st.text(line)
        st.dataframe(pd.DataFrame(rows, columns=[tr("train.band"), tr("train.rows"), tr("train.predicted"),
                                                 tr("train.observed")]), hide_index=True, width="stretch")
        if st.button(tr("train.apply"), key="train_apply", type="primary"):
            state.open_text(state.product(), text)
            st.session_state.trained = None
            st.rerun()


st.header(tr("page.cutoffs"))
if w.need_product():
    if state.checked() is not None:
        training(state.checked())
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
