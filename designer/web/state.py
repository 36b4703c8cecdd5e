"""The designer's session: language, the product being edited (a draft kept on disk at every edit), its
check, simulations. Everything lives in `st.session_state`, set up once per session; nothing is module
state, so two browser tabs never share a draft by accident."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from designer import use_cases
from designer.i18n import LANGUAGES, t
from designer.settings import settings
from designer.workspace import Workspace, WorkspaceError
from product_specs import SpecError

__all__ = ["init", "lang", "tr", "workspace", "draft", "product", "open_text", "get", "put", "changed",
           "outcome", "checked", "rev", "bump", "focus", "set_focus", "widget_key"]


def init() -> None:
    """Set up this session's state (first run only) and reopen the last draft after a reload."""
    s = st.session_state
    s.setdefault("lang", "zh")
    s.setdefault("rev", 0)
    s.setdefault("draft", None)
    s.setdefault("product", None)
    s.setdefault("draft_saved", None)
    s.setdefault("check_memo", None)
    s.setdefault("simulations", {})
    s.setdefault("focus", None)
    s.setdefault("edits", 0)
    s.setdefault("text_memo", None)
    if s.lang not in LANGUAGES:
        s.lang = "zh"
    if s.draft is None and not s.get("reopened"):
        s.reopened = True
        _reopen_last()


def _reopen_last() -> None:
    ws = workspace()
    name = ws.last()
    if name is None:
        return
    text = ws.read_draft(name)
    if text is None:
        latest = ws.latest(name)
        text = ws.read(name, latest.number) if latest else None
    if text is not None:
        try:
            open_text(name, text, save=False)
        except SpecError:
            pass


def lang() -> str:
    return st.session_state.lang


def tr(key: str, **values) -> str:
    """The text of `key` in the session's language."""
    return t(key, st.session_state.get("lang", "zh"), **values)


def workspace() -> Workspace:
    return Workspace(settings().workspace_dir)


def draft() -> dict | None:
    """The spec data being edited (may be invalid: it holds exactly what the user typed)."""
    return st.session_state.draft


def product() -> str | None:
    """The workspace name of the product being edited."""
    return st.session_state.product


def rev() -> int:
    return st.session_state.rev


def bump() -> None:
    """Forget every widget's state (the draft was replaced or a list reordered): widgets reread the draft."""
    st.session_state.rev += 1


def widget_key(loc: tuple, kind: str = "w") -> str:
    return f"{kind}{rev()}|" + ".".join(str(p) for p in loc)


def open_text(name: str, text: str, save: bool = True) -> None:
    """Make spec text the draft of workspace product `name` (raises SpecError if it is not YAML)."""
    data = use_cases.spec_data(text, name)
    s = st.session_state
    s.draft, s.product, s.focus = data, name, None
    s.edits += 1
    s.draft_saved = text if not save else None
    bump()
    if save:
        changed()


def get(loc: tuple, default=None):
    node = draft()
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return default
    return node


def put(loc: tuple, value) -> None:
    """Set the value at `loc` in the draft (None removes the key), creating mappings on the way."""
    node = draft()
    for i, part in enumerate(loc[:-1]):
        nxt = node[part] if (isinstance(node, list) or part in node) else None
        if not isinstance(nxt, (dict, list)):
            nxt = {} if not isinstance(loc[i + 1], int) else []
            node[part] = nxt
        node = nxt
    last = loc[-1]
    if value is None and isinstance(node, dict):
        node.pop(last, None)
    else:
        node[last] = value
    changed()


def changed() -> None:
    """The draft changed: keep it on disk so an unsaved draft survives a reload."""
    s = st.session_state
    s.edits += 1
    if s.draft is None or s.product is None:
        return
    text = current_text()
    if text != s.draft_saved:
        try:
            workspace().save_draft(s.product, text)
            s.draft_saved = text
        except (OSError, WorkspaceError) as err:
            s.draft_error = str(err)


def current_text() -> str | None:
    """The YAML text of the draft (made once per edit: every widget asks for the check)."""
    s = st.session_state
    if s.draft is None:
        return None
    memo = s.text_memo
    if memo is None or memo[0] != s.edits or memo[1] is not s.draft:
        memo = (s.edits, s.draft, use_cases.spec_text(s.draft))
        s.text_memo = memo
    return memo[2]


text = current_text


def outcome() -> use_cases.CheckOutcome | None:
    """The check of the draft (computed once per distinct text)."""
    current = text()
    if current is None:
        return None
    memo = st.session_state.check_memo
    if memo is None or memo[0] != current:
        memo = (current, use_cases.check_text(current, "draft"))
        st.session_state.check_memo = memo
    return memo[1]


def checked():
    """The checked draft for deciding and simulating: available when the spec itself has no error, even if
    an example test fails (which is how a product manager finds out why it fails)."""
    o = outcome()
    return None if o is None or o.report is None else o.report.checked


def focus() -> str | None:
    return st.session_state.focus


def set_focus(path: str | None) -> None:
    st.session_state.focus = path


def samples_dir() -> Path:
    return settings().samples_dir
