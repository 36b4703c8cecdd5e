"""The data dictionary: every input a decision may read, as one editable table."""

import streamlit as st

from designer.web import widgets as w
from designer.web.state import tr
from product_specs.sections import FieldType, Source

st.header(tr("page.fields"))
if w.need_product():
    st.caption(tr("fields.intro"))
    w.section_findings("fields")
    w.table(("fields",), [
        w.Col("name", tr("col.name"), required=True, max_chars=64),
        w.Col(("label", "zh"), tr("col.label_zh"), max_chars=500),
        w.Col(("label", "en"), tr("col.label_en"), max_chars=500),
        w.Col("type", tr("col.type"), "select", [t.value for t in FieldType], required=True),
        w.Col("source", tr("col.source"), "select", [s.value for s in Source]),
        w.Col("required", tr("col.required"), "bool"),
        w.Col("min", tr("col.min"), "number"),
        w.Col("max", tr("col.max"), "number"),
        w.Col("categories", tr("col.categories"), "list", max_chars=2000),
        w.Col("unit", tr("col.unit"), max_chars=40),
        w.Col("pii", tr("col.pii"), "bool"),
    ], height=600)
