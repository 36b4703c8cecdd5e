"""Segments (customer tiers): tried in order, the first whose condition holds wins; the last catches all."""

import streamlit as st

from designer.web import spec_view
from designer.web import widgets as w
from designer.web.state import tr


def body(loc, item):
    w.text(loc + ("id",), tr("col.id"), max_chars=64)
    w.bitext(loc + ("name",), tr("col.name"))
    w.rule(loc + ("when",), tr("segments.when"), spec_view.rule_fields())
    w.bitext(loc + ("description",), tr("col.description"), optional=True)


st.header(tr("page.segments"))
if w.need_product():
    st.caption(tr("segments.intro"))
    w.section_findings("segments")
    w.item_list(("segments",), lambda item, i: f"{i + 1}. {item.get('id') or ''} · {spec_view.text_of(item.get('name'))}"
                + (f" · {item['when']}" if item.get("when") else f" · {tr('segments.catch_all')}"),
                body, lambda: {"id": "new_segment", "name": {"zh": "新客群", "en": "New segment"}, "when": ""},
                ordered=True, minimum=1)
