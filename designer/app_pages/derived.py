"""Derived features: formulas of the rule language over fields and earlier features."""

import streamlit as st

from designer.web import spec_view
from designer.web import widgets as w
from designer.web.state import tr


def body(loc, item):
    c1, c2 = st.columns(2)
    with c1:
        w.text(loc + ("name",), tr("col.name"), max_chars=64)
    with c2:
        c3, c4 = st.columns(2)
        with c3:
            w.number(loc + ("min",), tr("col.min"))
        with c4:
            w.number(loc + ("max",), tr("col.max"))
    w.bitext(loc + ("label",), tr("col.label"))
    w.rule(loc + ("expr",), tr("derived.expr"), spec_view.rule_fields())


st.header(tr("page.derived"))
if w.need_product():
    st.caption(tr("derived.intro"))
    w.section_findings("derived")
    w.item_list(("derived",), lambda item, i: f"{item.get('name') or i + 1} = {item.get('expr') or ''}", body,
                lambda: {"name": "new_feature", "label": {"zh": "新特征", "en": "New feature"}, "expr": ""},
                ordered=True)
