"""Generate: the files derived from the product, to browse and download as a zip. The decision-service and
workflow-service generator (generators/services) is not available yet: this page says so."""

import streamlit as st

from designer import use_cases
from designer.web import state
from designer.web import widgets as w
from designer.web.state import tr

st.header(tr("page.generate"))
st.warning(tr("generate.services_not_yet"), icon="🚧")
if w.need_product():
    checked = state.checked()
    if checked is None:
        st.warning(tr("sim.fix_errors"), icon="⚠️")
    else:
        st.caption(tr("generate.available"))
        files = use_cases.compiled_files(checked)
        name = st.selectbox(tr("generate.file"), sorted(files), key="generate_file")
        language = {"py": "python", "sql": "sql", "yaml": "yaml"}.get(name.rsplit(".", 1)[-1])
        st.code(files[name], language=language, line_numbers=True)
        st.download_button(tr("generate.zip"), use_cases.zip_files(files), file_name=f"{checked.product_id}.zip",
                           mime="application/zip", key="generate_zip")
