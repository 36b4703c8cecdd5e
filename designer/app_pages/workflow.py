"""Workflow: the stages a loan goes through, who acts, SLAs; drawn as a diagram."""

import streamlit as st

from designer.web import charts, spec_view, state
from designer.web import widgets as w
from designer.web.state import tr
from product_specs.sections import Role


def diagram():
    stages = spec_view.items("workflow", "stages")
    lines = ["digraph workflow {", "rankdir=LR;", 'node [shape=box, style="rounded,filled", fillcolor="#e3f2fd"];']
    known = {s.get("id") for s in stages}
    for s in stages:
        sid = s.get("id")
        if not isinstance(sid, str):
            continue
        sla = f" · {s['sla_hours']}h" if s.get("sla_hours") is not None else ""
        label = f"{spec_view.text_of(s.get('name'), sid)}\n{tr('role.' + str(s.get('role')))}{sla}"
        fill = ', fillcolor="#fff3e0"' if s.get("manual") else ""
        lines.append(f"{charts.dot_text(sid)} [label={charts.dot_text(label).replace(chr(92) + 'n', ' ')}{fill}];")
        for nxt in s.get("next") or []:
            if nxt in known:
                lines.append(f"{charts.dot_text(sid)} -> {charts.dot_text(nxt)};")
    lines.append("}")
    st.graphviz_chart("\n".join(lines), width="stretch")


st.header(tr("page.workflow"))
if w.need_product():
    w.section_findings("workflow")
    if state.get(("workflow",)) is None:
        st.info(tr("workflow.none"))
        if st.button(tr("workflow.add"), key="workflow_add"):
            state.put(("workflow",), {"stages": [{"id": "application", "name": {"zh": "申请", "en": "Application"},
                                                  "role": "customer"}]})
            state.bump()
            st.rerun()
    else:
        w.table(("workflow", "stages"), [
            w.Col("id", tr("col.id"), required=True, max_chars=64), w.Col(("name", "zh"), tr("col.label_zh")),
            w.Col(("name", "en"), tr("col.label_en")),
            w.Col("role", tr("workflow.role"), "select", [r.value for r in Role], required=True),
            w.Col("sla_hours", tr("workflow.sla_hours"), "number"), w.Col("manual", tr("workflow.manual"), "bool"),
            w.Col("next", tr("workflow.next"), "list", max_chars=1000)])
        diagram()
