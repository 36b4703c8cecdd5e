"""The designer's pages: file, title key, address, icon and group; and which page edits which section."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from designer.web.state import tr

__all__ = ["PageDef", "PAGES", "PAGE_DIR", "page_objects", "page_for_section"]

PAGE_DIR = Path(__file__).resolve().parent.parent / "app_pages"


@dataclass(frozen=True)
class PageDef:
    file: str
    url: str
    icon: str
    group: str
    section: str | None = None  # the spec section the page edits


PAGES = (
    PageDef("products.py", "products", "📁", "product"),
    PageDef("basics.py", "basics", "🏷️", "spec", "product"),
    PageDef("fields.py", "fields", "📋", "spec", "fields"),
    PageDef("derived.py", "derived", "🧮", "spec", "derived"),
    PageDef("segments.py", "segments", "👥", "spec", "segments"),
    PageDef("admission.py", "admission", "🚦", "spec", "admission"),
    PageDef("scorecard.py", "scorecard", "🎯", "spec", "scorecard"),
    PageDef("decision.py", "decision", "🧭", "spec", "decision"),
    PageDef("pricing.py", "pricing", "💹", "spec", "pricing"),
    PageDef("limits.py", "limits", "📏", "spec", "limits"),
    PageDef("channels.py", "channels", "📱", "spec", "channels"),
    PageDef("post_loan.py", "post_loan", "📆", "spec", "post_loan"),
    PageDef("workflow.py", "workflow", "🔀", "spec", "workflow"),
    PageDef("risk_appetite.py", "risk_appetite", "🛡️", "spec", "risk_appetite"),
    PageDef("examples.py", "examples", "🧪", "spec", "tests"),
    PageDef("try_applicant.py", "try", "🙋", "analyse"),
    PageDef("simulate.py", "simulate", "📊", "analyse"),
    PageDef("compare.py", "compare", "⚖️", "analyse"),
    PageDef("cutoffs.py", "cutoffs", "🎚️", "analyse"),
    PageDef("generate.py", "generate", "📦", "analyse"),
    PageDef("learn.py", "learn", "🎓", "learn"),
)


def page_objects(pages=PAGES) -> dict[str, list]:
    """st.Page objects by navigation group, titled in the session's language."""
    groups: dict[str, list] = {}
    for p in pages:
        page = st.Page(str(PAGE_DIR / p.file), title=tr(f"page.{p.url}"), icon=p.icon, url_path=p.url,
                       default=p.url == "products")
        groups.setdefault(p.group, []).append(page)
    return groups


def page_for_section(section: str) -> PageDef | None:
    for p in PAGES:
        if p.section == section:
            return p
    return None
