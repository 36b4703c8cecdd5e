"""Risk appetite: the targets a simulation is judged against (empty targets are not judged)."""

import streamlit as st

from designer.web import widgets as w
from designer.web.state import tr

TARGETS = ("min_approval_rate", "max_approval_rate", "max_refer_rate", "min_automation_rate",
           "max_bad_rate_approved", "max_expected_loss_rate")

st.header(tr("page.risk_appetite"))
if w.need_product():
    st.caption(tr("risk_appetite.intro"))
    w.section_findings("risk_appetite")
    cols = st.columns(2)
    for i, key in enumerate(TARGETS):
        with cols[i % 2]:
            w.number(("risk_appetite", key), tr(f"appetite.{key}"), 0, 100, 0.1, fmt="%.2f", percent=True)
    with cols[0]:
        w.number(("risk_appetite", "min_declined_to_approved_loss_ratio"),
                 tr("appetite.min_declined_to_approved_loss_ratio"), 0, 1000, 0.5, fmt="%.2f")
