"""Channels: WeChat official account, QR code, mobile banking app, mini program, H5...; per-channel segments,
limit caps and extra rules."""

import streamlit as st

from designer.web import spec_view
from designer.web import widgets as w
from designer.web.state import tr
from product_specs.sections import ChannelKind, RuleAction


def channel_rule(loc, item):
    c1, c2 = st.columns(2)
    with c1:
        w.text(loc + ("code",), tr("col.code"), max_chars=32)
    with c2:
        w.choice(loc + ("action",), tr("col.action"), [a.value for a in RuleAction], labels=lambda v: tr(f"action.{v}"))
    w.bitext(loc + ("name",), tr("col.name"))
    w.rule(loc + ("when",), tr("admission.when"), spec_view.rule_fields())
    w.bitext(loc + ("reason",), tr("admission.reason"))


def channel(loc, item):
    c1, c2, c3 = st.columns(3)
    with c1:
        w.text(loc + ("id",), tr("col.id"), max_chars=64)
    with c2:
        w.choice(loc + ("kind",), tr("channels.kind"), [k.value for k in ChannelKind], labels=lambda v: tr(f"channel.{v}"))
    with c3:
        w.number(loc + ("limit_cap",), tr("channels.limit_cap"), 0, 1e15, 10000, fmt="%.0f")
    w.bitext(loc + ("name",), tr("col.name"))
    w.choices(loc + ("segments",), tr("channels.segments"), spec_view.segment_ids(), help=tr("channels.segments_help"))
    st.markdown(f"**{tr('channels.rules')}**")
    w.item_list(loc + ("rules",), lambda r, i: f"{r.get('code') or i + 1} · {r.get('when') or ''}", channel_rule,
                lambda: {"code": "C99", "name": {"zh": "渠道规则", "en": "Channel rule"}, "when": "", "action": "decline",
                         "reason": {"zh": "请填写原因", "en": "Write the reason"}})


st.header(tr("page.channels"))
if w.need_product():
    st.caption(tr("channels.intro"))
    w.section_findings("channels")
    w.item_list(("channels",), lambda item, i: f"{item.get('id') or i + 1} · {tr('channel.' + str(item.get('kind')))}"
                f" · {spec_view.text_of(item.get('name'))}", channel,
                lambda: {"id": "new_channel", "kind": "h5", "name": {"zh": "新渠道", "en": "New channel"}}, minimum=1)
