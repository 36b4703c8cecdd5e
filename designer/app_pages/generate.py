"""Generate: the decision service of the product (a standalone FastAPI project, what `loanstudio generate`
writes), to browse and download as a zip. The workflow service generator is not available yet: the page
says so."""

import streamlit as st

from designer import use_cases
from designer.web import state
from designer.web import widgets as w
from designer.web.state import tr

try:
    from generators.services import ServiceError
except ImportError:  # the service generator is absent or broken in this build: say so, keep the rest
    ServiceError = None

st.header(tr("page.generate"))
st.info(tr("generate.workflow_not_yet"), icon="🚧")
if w.need_product():
    outcome = state.outcome()
    checked = outcome.checked
    if checked is None:
        st.warning(tr("generate.fix_errors"), icon="⚠️")
    else:
        if ServiceError is None:
            st.warning(tr("generate.unavailable"), icon="🚧")
        elif st.button(tr("generate.run"), key="generate_run", type="primary"):
            with st.spinner(tr("generate.running")):
                try:
                    st.session_state.generated = (checked.spec_hash, use_cases.decision_service_tree(checked))
                except (ServiceError, OSError) as err:
                    st.error(w.md(str(err)), icon="⛔")
        found = st.session_state.get("generated")
        files = found[1] if found and found[0] == checked.spec_hash else use_cases.compiled_files(checked)
        st.caption(tr("generate.available") if found and found[0] == checked.spec_hash else tr("generate.compiled"))
        name = st.selectbox(tr("generate.file"), sorted(files), key="generate_file")
        language = {"py": "python", "sql": "sql", "yaml": "yaml", "json": "json", "md": "markdown",
                    "toml": "toml"}.get(name.rsplit(".", 1)[-1])
        st.code(files[name], language=language, line_numbers=True)
        st.download_button(tr("generate.zip"), use_cases.zip_files(files), file_name=f"{checked.product_id}.zip",
                           mime="application/zip", key="generate_zip")
