"""Loan Studio designer: the browser front end. `loanstudio design` (or `make run`) starts it.

This script only sets up the session, the sidebar and the navigation; each page in app_pages/ draws one
part of the product and calls the same functions as the command line (designer.use_cases, workspace).
"""

from __future__ import annotations

import streamlit as st

from designer.web import sidebar, state
from designer.web.pages import PAGES, page_objects

st.set_page_config(page_title="Loan Studio", page_icon="🏦", layout="wide")
state.init()
groups = page_objects(PAGES)
current = st.navigation({state.tr(f"nav.{group}"): pages for group, pages in groups.items()}, expanded=True)
sidebar.draw()
current.run()
