"""Admission rules: knock-out (decline) and refer rules, each with a reason code; every hit is reported."""

import streamlit as st

from designer.web import spec_view
from designer.web import widgets as w
from designer.web.state import tr
from product_specs.sections import RuleAction, RuleCategory


def rule_body(loc, item):
    c1, c2, c3 = st.columns(3)
    with c1:
        w.text(loc + ("code",), tr("col.code"), max_chars=32)
    with c2:
        w.choice(loc + ("action",), tr("col.action"), [a.value for a in RuleAction], labels=lambda v: tr(f"action.{v}"))
    with c3:
        w.choice(loc + ("category",), tr("col.category"), [c.value for c in RuleCategory],
                 labels=lambda v: tr(f"category.{v}"))
    w.bitext(loc + ("name",), tr("col.name"))
    w.rule(loc + ("when",), tr("admission.when"), spec_view.rule_fields())
    w.bitext(loc + ("reason",), tr("admission.reason"))
    w.flag(loc + ("enabled",), tr("admission.enabled"), default=True)


def title(item, i):
    off = "" if item.get("enabled", True) else f" ({tr('admission.disabled')})"
    return f"{item.get('code') or i + 1} · {spec_view.text_of(item.get('name'))} · {item.get('when') or ''}{off}"


def new_rule():
    taken = set(spec_view.ids("admission", "code"))
    code = next(f"R{n:02d}" for n in range(1, 1000) if f"R{n:02d}" not in taken)
    return {"code": code, "name": {"zh": "新规则", "en": "New rule"}, "when": "", "action": "decline",
            "reason": {"zh": "请填写拒绝原因", "en": "Write the reason"}}


st.header(tr("page.admission"))
if w.need_product():
    st.caption(tr("admission.intro"))
    w.section_findings("admission")
    w.item_list(("admission",), title, rule_body, new_rule)
