"""Try an applicant: a form generated from the data dictionary, and the decision with its explanation."""

import json

import streamlit as st

from designer import use_cases
from designer.web import state
from designer.web import widgets as w
from designer.web.state import tr
from product_specs.sections import FieldType


def field_input(c, default):
    key = f"try|{c.field}"
    label = w.md(c.field) + ("" if c.required else f" ({tr('try.optional')})")
    if key not in st.session_state:
        st.session_state[key] = default
    if c.type is FieldType.BOOLEAN:
        options = [None, True, False]
        st.selectbox(label, options, key=key,
                     format_func=w.labels_of(options, lambda v: tr("input.none") if v is None else str(v).lower()))
    elif c.type is FieldType.CATEGORY:
        options = [None, *(c.categories or ())]
        st.selectbox(label, options, key=key,
                     format_func=w.labels_of(options, lambda v: tr("input.none") if v is None else str(v)))
    elif c.numeric:
        st.number_input(label, key=key, value=None, step=1.0 if c.type is FieldType.INTEGER else 0.01,
                        min_value=None if c.min is None else float(c.min), max_value=None if c.max is None else float(c.max),
                        format="%.0f" if c.type is FieldType.INTEGER else "%.4f", placeholder=tr("input.empty"))
    else:
        st.text_input(label, key=key, max_chars=200)


def values(checked) -> dict:
    out = {}
    for c in checked.input_constraints():
        v = st.session_state.get(f"try|{c.field}")
        if v is None or v == "":
            v = None
        elif c.type is FieldType.INTEGER:
            v = int(v)
        out[c.field] = v
    return out


def fill_from_example(checked, index):
    applicant = checked.spec.tests[index].applicant
    from generators.decision import plain_applicant

    plain = plain_applicant(applicant)
    for c in checked.input_constraints():
        v = plain.get(c.field)
        st.session_state[f"try|{c.field}"] = float(v) if c.numeric and v is not None else v


st.header(tr("page.try"))
if w.need_product():
    checked = state.checked()
    if checked is None:
        st.warning(tr("try.fix_errors"), icon="⚠️")
    else:
        tests = checked.spec.tests
        if tests:
            c1, c2 = st.columns([3, 1])
            pick = c1.selectbox(tr("try.example"), range(len(tests)), format_func=lambda i: tests[i].name,
                                key="try_example")
            c2.button(tr("try.fill"), key="try_fill", on_click=fill_from_example, args=(checked, pick))
        labels = {f.name: f.label for f in checked.spec.fields}
        cols = st.columns(3)
        for i, c in enumerate(checked.input_constraints()):
            with cols[i % 3]:
                field_input(c, None)
                label = labels.get(c.field)
                st.caption(w.md(label.zh if state.lang() == "zh" else label.en) if label else "")
        if st.button(tr("try.decide"), key="try_decide", type="primary"):
            try:
                st.session_state.try_result = (checked.spec_hash, use_cases.decide_applicant(checked, values(checked)))
            except use_cases.ApplicantInputError as err:
                st.session_state.try_result = (checked.spec_hash, {"error": "invalid applicant", "details": err.errors})
        found = st.session_state.get("try_result")
        if found and found[0] == checked.spec_hash:
            result = found[1]
            if "error" in result:
                st.error(tr("try.invalid"), icon="⛔")
                for e in result["details"]:
                    st.error(w.md(f"{e['field']}: {e['message']}"))
            else:
                colour = {"approve": "green", "refer": "orange", "decline": "red"}.get(result["decision"], "gray")
                st.markdown(f"### :{colour}[{tr('outcome.' + result['decision'])}]")
                m1, m2, m3, m4 = st.columns(4)
                m1.metric(tr("try.score"), result.get("score"))
                m2.metric(tr("try.band"), str(result.get("band")))
                m3.metric(tr("try.limit"), "—" if result.get("limit") is None else f"{result['limit']:,}")
                m4.metric(tr("try.apr"), "—" if result.get("apr") is None else f"{float(result['apr']):.2%}")
                pd_value = result.get("pd") if result.get("pd") is not None else use_cases.score_pd(
                    checked, result.get("score"), result.get("second_score"))
                st.caption(tr("try.pd", pd="—" if pd_value is None else f"{pd_value:.2%}"))
                if result.get("second_score") is not None:
                    st.caption(tr("try.second", score=result["second_score"], grade=result.get("second_grade")))
                if result.get("reasons"):
                    st.dataframe([{tr("col.code"): r["code"], "中文": r["text_zh"], "English": r["text_en"]}
                                  for r in result["reasons"]], hide_index=True, width="stretch")
                st.subheader(tr("try.explanation"))
                for line in use_cases.explain_decision(checked, result, state.lang()):
                    st.text(line)
                with st.expander(tr("try.json")):
                    st.code(json.dumps(result, ensure_ascii=False, indent=2, default=str), language="json")
