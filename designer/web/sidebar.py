"""The sidebar every page shares: language, the open product, its check status and each finding as a link
to the page (and widget) it concerns."""

from __future__ import annotations

import streamlit as st

from designer.i18n import LANGUAGES
from designer.web import state
from designer.web.pages import PAGE_DIR, page_for_section
from designer.web.state import tr
from designer.web.widgets import md
from product_specs import Severity

MAX_LISTED = 30


def draw() -> None:
    with st.sidebar:
        st.radio(tr("lang.label"), list(LANGUAGES), key="lang", horizontal=True,
                 format_func=lambda code: LANGUAGES[code])
        if state.draft() is None:
            st.caption(tr("product.none_open"))
            return
        spec = state.draft().get("product") if isinstance(state.draft().get("product"), dict) else {}
        name = spec.get("name") if isinstance(spec.get("name"), dict) else {}
        st.markdown(f"**{md(name.get(state.lang()) or spec.get('id') or '')}**")
        st.caption(tr("sidebar.workspace_name", name=md(state.product())))
        _status()


def _status() -> None:
    outcome = state.outcome()
    errors, warnings = len(outcome.errors), len(outcome.warnings)
    c1, c2 = st.columns(2)
    c1.metric(tr("status.errors"), errors)
    c2.metric(tr("status.warnings"), warnings)
    if outcome.checked is not None and not errors:
        st.success(tr("status.ok"), icon="✅")
    findings = sorted(outcome.findings, key=lambda f: f.severity is not Severity.ERROR)
    for i, f in enumerate(findings[:MAX_LISTED]):
        section = f.section or f.path.split("[")[0].split(".")[0]
        page = page_for_section(section)
        icon = "⛔" if f.severity is Severity.ERROR else "⚠️"
        label = f"{icon} {md(f.path or section)}: {md(f.message)}"
        if page is None:
            st.caption(label)
        elif st.button(label, key=f"finding{state.rev()}|{i}", width="stretch"):
            state.set_focus(f.path)
            st.switch_page(str(PAGE_DIR / page.file))
    if len(findings) > MAX_LISTED:
        st.caption(tr("status.more", count=len(findings) - MAX_LISTED))
