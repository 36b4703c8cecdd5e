"""Product basics: identity, kind, currency, version, terms, repayment, the regulatory APR cap."""

import streamlit as st

from designer.web import spec_view
from designer.web import widgets as w
from designer.web.state import tr
from product_specs.sections import ProductKind, Repayment

st.header(tr("page.basics"))
if w.need_product():
    w.section_findings("product")
    c1, c2 = st.columns(2)
    with c1:
        w.text(("product", "id"), tr("basics.id"), max_chars=64, help=tr("basics.id_help"))
        w.choice(("product", "kind"), tr("basics.kind"), [k.value for k in ProductKind],
                 labels=lambda v: tr(f"kind.{v}"))
        w.text(("product", "version"), tr("basics.version"), max_chars=20, help=tr("basics.version_help"))
    with c2:
        w.text(("product", "currency"), tr("basics.currency"), max_chars=3)
        w.number(("product", "apr_cap"), tr("basics.apr_cap"), 0, 100, 0.5, optional=False, fmt="%.2f",
                 percent=True, help=tr("basics.apr_cap_help"))
        w.choice(("product", "channel_field"), tr("basics.channel_field"), spec_view.field_names())
    w.bitext(("product", "name"), tr("basics.name"))
    w.bitext(("product", "description"), tr("basics.description"), optional=True, max_chars=500)
    w.choices(("product", "terms_months"), tr("basics.terms"), [3, 6, 9, 12, 18, 24, 36, 48, 60],
              labels=lambda v: tr("basics.months", n=v))
    w.choices(("product", "repayment"), tr("basics.repayment"), [r.value for r in Repayment],
              labels=lambda v: tr(f"repayment.{v}"))
