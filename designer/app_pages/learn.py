"""Learn: the guided walkthrough (each step checked on the open product), a glossary, the reference products."""

import streamlit as st

from designer import learn
from designer.web import state
from designer.web import widgets as w
from designer.web.state import tr

st.header(tr("page.learn"))
walk, glossary, products = st.tabs([tr("learn.walkthrough"), tr("learn.glossary"), tr("learn.reference")])
with walk:
    st.caption(tr("learn.walkthrough_intro"))
    outcome = state.outcome()
    done = learn.progress(state.draft(), bool(outcome and outcome.checked is not None and not outcome.errors))
    st.progress(sum(done) / len(done), text=tr("learn.progress", done=sum(done), total=len(done)))
    for step, ok in zip(learn.STEPS, done, strict=True):
        with st.container(border=True):
            st.markdown(("✅ " if ok else "⬜ ") + f"**{step.number}. {tr(f'learn.step{step.number}.title')}**")
            st.caption(tr(f"learn.step{step.number}.help"))
            st.page_link(f"app_pages/{step.page}.py",
                         label=tr("learn.go", page=tr(f"page.{step.page}")))
with glossary:
    st.dataframe([{"中文": tr(f"glossary.{k}.zh"), "English": tr(f"glossary.{k}.en"), tr("learn.meaning"): tr(f"glossary.{k}.text")}
                  for k in learn.GLOSSARY], hide_index=True, width="stretch")
with products:
    for pid in learn.REFERENCE_PRODUCTS:
        with st.container(border=True):
            st.markdown(f"**{tr(f'reference.{pid}.title')}**")
            st.write(tr(f"reference.{pid}.text"))
            st.caption(w.md(f"product_specs/catalog/{pid}.yaml"))
