"""Post-loan: DPD buckets, collection actions on a timeline, early-warning rules, write-off."""

import pandas as pd
import streamlit as st

from designer.web import charts, spec_view, state
from designer.web import widgets as w
from designer.web.state import tr
from product_specs.sections.post_loan import CollectionActionKind, WarningLevel


def warning(loc, item):
    c1, c2 = st.columns(2)
    with c1:
        w.text(loc + ("code",), tr("col.code"), max_chars=32)
    with c2:
        w.choice(loc + ("level",), tr("post_loan.level"), [v.value for v in WarningLevel], labels=lambda v: tr(f"level.{v}"))
    w.bitext(loc + ("name",), tr("col.name"))
    w.rule(loc + ("when",), tr("admission.when"), spec_view.rule_fields())
    w.bitext(loc + ("action",), tr("post_loan.warning_action"))


st.header(tr("page.post_loan"))
if w.need_product():
    w.section_findings("post_loan")
    st.subheader(tr("post_loan.buckets"))
    w.table(("post_loan", "dpd_buckets"), [
        w.Col("id", tr("col.id"), required=True, max_chars=64), w.Col(("name", "zh"), tr("col.label_zh")),
        w.Col(("name", "en"), tr("col.label_en")), w.Col("min_days", tr("post_loan.min_days"), "integer"),
        w.Col("max_days", tr("post_loan.max_days"), "integer")])
    st.subheader(tr("post_loan.collection"))
    buckets = spec_view.ids("post_loan", "id", "dpd_buckets")
    w.table(("post_loan", "collection"), [
        w.Col("bucket", tr("post_loan.bucket"), "select", buckets, required=True),
        w.Col("day", tr("post_loan.day"), "integer", required=True),
        w.Col("action", tr("post_loan.action"), "select", [a.value for a in CollectionActionKind], required=True),
        w.Col(("note", "zh"), tr("post_loan.note_zh")), w.Col(("note", "en"), tr("post_loan.note_en"))])
    steps = [s for s in (state.get(("post_loan", "collection")) or []) if isinstance(s, dict)]
    rows = [{"bucket": str(s.get("bucket")), "day": s.get("day"), "action": tr(f"collect.{s.get('action')}")}
            for s in steps if isinstance(s.get("day"), int)]
    if rows:
        st.altair_chart(charts.timeline(pd.DataFrame(rows), tr("post_loan.timeline")), width="stretch")
    w.integer(("post_loan", "write_off_days"), tr("post_loan.write_off_days"), 1, 10000)
    st.subheader(tr("post_loan.warnings"))
    w.item_list(("post_loan", "early_warning"), lambda item, i: f"{item.get('code') or i + 1} · {item.get('when') or ''}",
                warning, lambda: {"code": "W99", "name": {"zh": "新预警", "en": "New warning"}, "when": "",
                                  "level": "medium", "action": {"zh": "请填写处置", "en": "Write the action"}})
    st.subheader(tr("post_loan.monitoring"))
    w.table(("post_loan", "monitoring_fields"), [
        w.Col("name", tr("col.name"), required=True, max_chars=64), w.Col(("label", "zh"), tr("col.label_zh")),
        w.Col(("label", "en"), tr("col.label_en")),
        w.Col("type", tr("col.type"), "select", ["integer", "number", "category", "boolean", "string"], required=True),
        w.Col("min", tr("col.min"), "number"), w.Col("max", tr("col.max"), "number"),
        w.Col("unit", tr("col.unit"), max_chars=40)])
