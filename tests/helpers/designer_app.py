"""Driving the designer under AppTest as a user does: open a catalog product, go to a page."""

from __future__ import annotations

from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "designer" / "streamlit_app.py"


def open_catalog(at, product: str = "tax_sme_loan"):
    """Open a catalog product from the Products page."""
    at.selectbox(key="catalog_pick").select(product).run()
    at.button(key="open_catalog").click().run()
    assert not at.exception, at.exception
    assert at.session_state["product"] == product
    return at


def go(at, page: str):
    """Switch to a page (its file name without .py) and check it ran without exception."""
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at
