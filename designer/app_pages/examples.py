"""Example tests: applicants with the outcome the product must give them (run by every check)."""

import json

import streamlit as st

from designer.web import spec_view, state
from designer.web import widgets as w
from designer.web.state import tr
from product_specs.sections import Outcome


def applicant_text(value) -> str:
    if isinstance(value, str):
        return value  # what the user typed, kept even when it is not JSON
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)


def store_applicant(key, loc):
    typed = st.session_state[key]
    try:
        value = json.loads(typed)
    except json.JSONDecodeError:
        value = typed
    state.put(loc, value)


def example(loc, item):
    w.text(loc + ("name",), tr("col.name"), max_chars=200)
    key = state.widget_key(loc + ("applicant",))
    if key not in st.session_state:
        st.session_state[key] = applicant_text(state.get(loc + ("applicant",), {}))
    st.text_area(tr("examples.applicant"), key=key, height=240, max_chars=20000, on_change=store_applicant,
                 args=(key, loc + ("applicant",)))
    typed = st.session_state[key]
    try:
        json.loads(typed)
    except json.JSONDecodeError as err:
        st.error(tr("examples.bad_json", line=err.lineno, column=err.colno, message=w.md(err.msg)), icon="⛔")
    w.show_findings(w.findings_at(loc + ("applicant",), exact=False))
    c1, c2, c3 = st.columns(3)
    e = loc + ("expect",)
    with c1:
        w.choice(e + ("decision",), tr("examples.decision"), [o.value for o in Outcome], labels=lambda v: tr(f"outcome.{v}"))
        w.choice(e + ("segment",), tr("examples.segment"), spec_view.segment_ids(), optional=True)
    with c2:
        w.choice(e + ("band",), tr("examples.band"), spec_view.band_ids(), optional=True)
        w.integer(e + ("score",), tr("examples.score"), -100000, 100000, optional=True)
    with c3:
        w.number(e + ("limit",), tr("examples.limit"), 0, 1e15, 1000, fmt="%.2f")
        w.number(e + ("apr",), tr("examples.apr"), 0, 1, 0.0001, fmt="%.4f")
    w.choices(e + ("reasons",), tr("examples.reasons"), [str(c) for c in reason_codes()])
    w.show_findings([f for f in w.findings_at(loc, exact=False) if f.code == "example_test"])


def reason_codes():
    outcome = state.outcome()
    if outcome and outcome.checked:
        return [r.code for r in outcome.checked.reasons()]
    return spec_view.ids("admission", "code")


def title(item, i):
    failing = any(f.code == "example_test" for f in w.findings_at(("tests", i), exact=False))
    mark = "❌ " if failing else ""
    expect = item.get("expect") if isinstance(item.get("expect"), dict) else {}
    return f"{mark}{item.get('name') or i + 1} → {tr('outcome.' + str(expect.get('decision')))}"


st.header(tr("page.examples"))
if w.need_product():
    st.caption(tr("examples.intro"))
    w.section_findings("tests")
    tests = spec_view.items("tests")
    failing = sum(1 for i in range(len(tests)) if any(f.code == "example_test" for f in w.findings_at(("tests", i), exact=False)))
    st.metric(tr("examples.passing"), f"{len(tests) - failing} / {len(tests)}")
    w.item_list(("tests",), title, example, lambda: {"name": "new example", "applicant": {}, "expect": {"decision": "approve"}})
