"""Validate & simulate: the strategy on the sample (or an uploaded file), judged against the risk appetite."""

import tempfile
from pathlib import Path

import streamlit as st

from designer import use_cases
from designer.web import results, state
from designer.web import widgets as w
from designer.web.state import tr
from validation.analysis.simulate import SimulationError

UPLOAD_TYPES = ["csv", "parquet"]


def run(checked, upload, months: int) -> None:
    bar = st.progress(0.0, text=tr("sim.starting"))

    def progress(stage, done, total):
        bar.progress(min(1.0, done / total) if total else 0.0, text=stage)

    try:
        if upload is None:
            data = use_cases.default_data(checked, state.samples_dir())
            outcome = use_cases.simulate_product(checked, data.source, progress=progress, months=months or None)
        else:
            suffix = Path(upload.name).suffix.lower()
            if suffix.lstrip(".") not in UPLOAD_TYPES:
                st.error(tr("sim.bad_upload"), icon="⛔")
                return
            with tempfile.TemporaryDirectory(prefix="loanstudio-upload-") as folder:
                path = Path(folder) / f"applicants{suffix}"
                path.write_bytes(upload.getvalue())
                outcome = use_cases.simulate_product(checked, str(path), progress=progress, months=months or None)
    except SimulationError as err:
        bar.empty()
        st.error(w.md(str(err)), icon="⛔")
        return
    bar.empty()
    outcome.result = None  # the decided rows are not kept in the session
    st.session_state.simulations[checked.spec_hash] = outcome
    try:
        state.workspace().record_simulation(state.product(), checked.spec_hash, use_cases.simulation_summary(outcome))
    except (OSError, ValueError) as err:
        st.warning(w.md(str(err)))


st.header(tr("page.simulate"))
if w.need_product():
    checked = state.checked()
    if checked is None:
        st.warning(tr("sim.fix_errors"), icon="⚠️")
    else:
        source = st.radio(tr("sim.data"), ["sample", "upload"], key="sim_source", horizontal=True,
                          format_func=w.labels_of(["sample", "upload"], lambda v: tr(f"sim.data_{v}")))
        upload = None
        if source == "upload":
            upload = st.file_uploader(tr("sim.upload"), type=UPLOAD_TYPES, key="sim_upload")
        months = st.number_input(tr("sim.months"), min_value=0, max_value=60, value=12, step=6, key="sim_months",
                                 help=tr("sim.months_help"))
        if st.button(tr("sim.run"), key="sim_run", type="primary", disabled=source == "upload" and upload is None):
            run(checked, upload, int(months))
        outcome = st.session_state.simulations.get(checked.spec_hash)
        if outcome is None:
            st.info(tr("sim.not_run"))
        else:
            m = outcome.metrics
            st.caption(tr("sim.summary", applicants=f"{m.applicants:,}", source=w.md(m.source),
                          seconds=f"{m.simulate_seconds:.2f}"))
            results.figure_cards(m)
            results.metric_charts(m)
            results.post_loan(m)
            results.tables(m, outcome.checks)
            st.download_button(tr("sim.report"), use_cases.simulation_report(outcome).encode("utf-8"),
                               file_name=f"{checked.product_id}-report.html", mime="text/html", key="sim_report")
