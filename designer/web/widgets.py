"""Widgets bound to the draft: each reads its value from the draft once, writes every change back at once
(so nothing typed is lost, valid or not) and shows the findings about its part of the spec beside it."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import streamlit as st

from designer.web import state
from designer.web.state import tr
from product_specs import Severity
from product_specs.io import item_path

__all__ = ["md", "path_of", "findings_at", "show_findings", "section_findings", "text", "bitext", "number",
           "integer", "choice", "choices", "flag", "rule", "item_list", "table", "need_product", "decimal"]

_MD = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
MAX_ROWS = 500


def md(value) -> str:
    """User text made safe for Streamlit markdown: every markup character escaped (shown, never rendered)."""
    return _MD.sub(r"\\\1", str(value)).replace("\n", " ")


def labels_of(options, label: Callable) -> Callable:
    """A format_func with every label made now, in this run's language (Streamlit may call a format_func
    outside the run, where the session's language cannot be read)."""
    shown = {repr(v): label(v) for v in options}
    return lambda v: shown.get(repr(v), str(v))


def decimal(value) -> Decimal | int | None:
    """A widget number as the spec keeps it: int when whole and given as int, else an exact Decimal."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d


def path_of(loc: tuple) -> str:
    return item_path(state.draft(), loc)


def findings_at(loc: tuple, exact: bool = True):
    """Findings about the spec part at `loc` (and, unless exact, inside it)."""
    outcome = state.outcome()
    if outcome is None:
        return []
    p = path_of(loc)
    return [f for f in outcome.findings
            if f.path == p or (not exact and (f.path.startswith(p + ".") or f.path.startswith(p + "[")))]


def _finding_text(f) -> str:
    text = f"{f.path}: {f.message}" if f.path else f.message
    if f.hint:
        text += f" ({f.hint})"
    if f.extra.get("rule_column"):
        text += " · " + tr("finding.column", column=f.extra["rule_column"])
    return text


def show_findings(findings) -> None:
    for f in findings:
        (st.error if f.severity is Severity.ERROR else st.warning)(md(_finding_text(f)),
                                                                  icon="⛔" if f.severity is Severity.ERROR else "⚠️")


def section_findings(section: str) -> None:
    """Every finding of a section, at the top of its page (each is also shown beside its widget)."""
    outcome = state.outcome()
    if outcome is None:
        return
    found = [f for f in outcome.findings if f.section == section or f.path.split("[")[0].split(".")[0] == section]
    errors = sum(f.severity is Severity.ERROR for f in found)
    if not found:
        st.success(tr("section.clean"), icon="✅")
        return
    with st.expander(tr("section.findings", errors=errors, warnings=len(found) - errors), expanded=errors > 0):
        show_findings(found)


def _bind(loc: tuple, to_widget: Callable, default=None) -> str:
    key = state.widget_key(loc)
    if key not in st.session_state:
        st.session_state[key] = to_widget(state.get(loc, default))
    return key


def _store(key: str, loc: tuple, from_widget: Callable) -> None:
    state.put(loc, from_widget(st.session_state[key]))


def text(loc: tuple, label: str, optional: bool = False, max_chars: int = 500, help: str | None = None,
         area: bool = False, show: bool = True) -> None:
    key = _bind(loc, lambda v: "" if v is None else str(v))
    convert = (lambda v: v if v != "" else None) if optional else (lambda v: v)
    widget = st.text_area if area else st.text_input
    widget(label, key=key, max_chars=max_chars, help=help, on_change=_store, args=(key, loc, convert))
    if show:
        show_findings(findings_at(loc))


def bitext(loc: tuple, label: str, optional: bool = False, max_chars: int = 500) -> None:
    """A text in Chinese and English, side by side."""
    zh, en = st.columns(2)
    with zh:
        text(loc + ("zh",), f"{label} · 中文", optional, max_chars, show=False)
    with en:
        text(loc + ("en",), f"{label} · English", optional, max_chars, show=False)
    show_findings(findings_at(loc, exact=False))


def number(loc: tuple, label: str, minimum: float | None = None, maximum: float | None = None,
           step: float = 0.01, optional: bool = True, fmt: str | None = None, help: str | None = None,
           percent: bool = False) -> None:
    """A decimal number; with `percent`, the spec's fraction (0.12) is shown and typed as 12 (%)."""
    scale = Decimal(100) if percent else Decimal(1)

    def to_widget(v):
        try:
            return None if v is None else float(Decimal(str(v)) * scale)
        except InvalidOperation:
            return None

    def from_widget(v):
        return None if v is None else (Decimal(str(v)) / scale).normalize()

    key = _bind(loc, to_widget)
    st.number_input(label, key=key, min_value=None if minimum is None else float(minimum),
                    max_value=None if maximum is None else float(maximum), step=float(step), format=fmt or "%.4f",
                    help=help, on_change=_store, args=(key, loc, from_widget),
                    placeholder=tr("input.empty") if optional else None)
    show_findings(findings_at(loc))


def integer(loc: tuple, label: str, minimum: int | None = None, maximum: int | None = None, step: int = 1,
            optional: bool = False, help: str | None = None) -> None:
    def to_widget(v):
        try:
            return None if v is None else int(v)
        except (TypeError, ValueError):
            return None

    key = _bind(loc, to_widget)
    st.number_input(label, key=key, min_value=minimum, max_value=maximum, step=step, help=help, on_change=_store,
                    args=(key, loc, lambda v: None if v is None else int(v)),
                    placeholder=tr("input.empty") if optional else None)
    show_findings(findings_at(loc))


def choice(loc: tuple, label: str, options: list, optional: bool = False, labels: Callable | None = None,
           help: str | None = None) -> None:
    """A pick from `options`; a value outside them (typed in YAML) is kept as an extra option, not lost."""
    current = state.get(loc)
    opts = list(options)
    if current is not None and current not in opts:
        opts.append(current)
    if optional:
        opts = [None, *opts]
    key = _bind(loc, lambda v: v if v in opts else opts[0])
    st.selectbox(label, opts, key=key, help=help, on_change=_store, args=(key, loc, lambda v: v),
                 format_func=labels_of(opts, lambda v: tr("input.none") if v is None else str(labels(v) if labels else v)))
    show_findings(findings_at(loc))


def choices(loc: tuple, label: str, options: list, labels: Callable | None = None, help: str | None = None) -> None:
    current = state.get(loc) or []
    opts = list(dict.fromkeys([*options, *(c for c in current if isinstance(c, str))]))
    key = _bind(loc, lambda v: [c for c in (v or []) if c in opts])
    st.multiselect(label, opts, key=key, help=help, on_change=_store, args=(key, loc, lambda v: list(v)),
                   format_func=labels_of(opts, lambda v: str(labels(v) if labels else v)))
    show_findings(findings_at(loc, exact=False))


def flag(loc: tuple, label: str, default: bool = False, help: str | None = None) -> None:
    key = _bind(loc, lambda v: bool(default if v is None else v))
    st.checkbox(label, key=key, help=help, on_change=_store, args=(key, loc, lambda v: bool(v)))
    show_findings(findings_at(loc))


def ranked_row(loc: tuple, min_label: str) -> None:
    """One score band or grade on a line: id, Chinese and English names, and its minimum score (optional:
    the last one has none)."""
    c1, c2, c3, c4 = st.columns([1, 2, 2, 1])
    with c1:
        text(loc + ("id",), tr("col.id"), max_chars=64)
    with c2:
        text(loc + ("name", "zh"), tr("col.label_zh"))
    with c3:
        text(loc + ("name", "en"), tr("col.label_en"))
    with c4:
        integer(loc + ("min_score",), min_label, -100000, 100000, optional=True)


def rule(loc: tuple, label: str, fields: list[tuple[str, str, list | None]] | None = None) -> None:
    """A rule expression with a condition builder (field, operator, value) that appends to it.

    The text is kept exactly as typed; its syntax and type errors (with the did-you-mean) show below it.
    """
    key = state.widget_key(loc)
    text(loc, label, max_chars=1000, help=tr("rule.help"))
    if not fields:
        return
    with st.popover(tr("rule.builder")):
        names = [f[0] for f in fields]
        fkey, okey, vkey = (state.widget_key(loc, k) for k in ("bf", "bo", "bv"))
        picked = st.selectbox(tr("rule.field"), names, key=fkey)
        ops = ["=", "<>", "<", "<=", ">", ">=", "in", "is null", "is not null"]
        st.selectbox(tr("rule.operator"), ops, key=okey)
        kinds = {f[0]: f for f in fields}
        categories = kinds[picked][2] if picked in kinds else None
        if categories:
            st.multiselect(tr("rule.value"), categories, key=vkey + "c")
        else:
            st.text_input(tr("rule.value"), key=vkey, max_chars=100)
        st.button(tr("rule.add_condition"), key=state.widget_key(loc, "ba"), on_click=_add_condition,
                  args=(key, loc, fkey, okey, vkey, categories))


def _add_condition(key, loc, fkey, okey, vkey, categories) -> None:
    s = st.session_state
    field, op = s[fkey], s[okey]
    if op in ("is null", "is not null"):
        condition = f"{field} {op}"
    elif categories:
        values = [v for v in s.get(vkey + "c", []) if "'" not in v]
        if not values:
            return
        quoted = ", ".join(f"'{v}'" for v in values)
        condition = f"{field} in ({quoted})" if op == "in" or len(values) > 1 else f"{field} {op} {quoted}"
    else:
        value = str(s.get(vkey, "")).strip()
        if not value:
            return
        condition = f"{field} {op} ({value})" if op == "in" else f"{field} {op} {value}"
    current = str(s.get(key) or "").strip()
    new = f"{current} and {condition}" if current else condition
    s[key] = new
    state.put(loc, new)


def item_list(loc: tuple, title: Callable[[dict, int], str], body: Callable[[tuple, dict], None],
              new_item: Callable[[], dict], ordered: bool = False, minimum: int = 0) -> None:
    """A list of spec items, one expander each, with add, delete and (when order matters) move buttons."""
    items = state.get(loc) or []
    focus = state.focus()
    for i, item in enumerate(items):
        item = item if isinstance(item, dict) else {}
        item_loc = loc + (i,)
        p = path_of(item_loc)
        errors = [f for f in findings_at(item_loc, exact=False) if f.severity is Severity.ERROR]
        mark = "⛔ " if errors else ""
        expanded = bool(focus and (focus == p or focus.startswith(p + ".") or focus.startswith(p + "[")))
        with st.expander(mark + md(title(item, i)), expanded=expanded or bool(errors)):
            body(item_loc, item)
            cols = st.columns(3)
            if ordered:
                cols[0].button(tr("list.up"), key=state.widget_key(item_loc, "up"), disabled=i == 0,
                               on_click=_move, args=(loc, i, -1))
                cols[1].button(tr("list.down"), key=state.widget_key(item_loc, "down"),
                               disabled=i == len(items) - 1, on_click=_move, args=(loc, i, 1))
            cols[2].button(tr("list.delete"), key=state.widget_key(item_loc, "del"),
                           disabled=len(items) <= minimum, on_click=_delete, args=(loc, i))
    st.button(tr("list.add"), key=state.widget_key(loc, "add"), disabled=len(items) >= MAX_ROWS,
              on_click=_add, args=(loc, new_item))


def _move(loc, i, step) -> None:
    items = list(state.get(loc) or [])
    j = i + step
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
        state.put(loc, items)
        state.bump()


def _delete(loc, i) -> None:
    items = list(state.get(loc) or [])
    if 0 <= i < len(items):
        del items[i]
        state.put(loc, items)
        state.bump()


def _add(loc, new_item) -> None:
    items = list(state.get(loc) or [])
    items.append(new_item())
    state.put(loc, items)
    state.bump()


# --- tables ----------------------------------------------------------------------------------------------

class Col:
    """A column of a table editor: the item attribute (a tuple for nested ones such as ("name", "zh"))."""

    def __init__(self, attr: str | tuple, label: str, kind: str = "text", options: list | None = None,
                 required: bool = False, max_chars: int = 500, step: float | None = None):
        self.attr = attr if isinstance(attr, tuple) else (attr,)
        self.label, self.kind, self.options = label, kind, options
        self.required, self.max_chars, self.step = required, max_chars, step
        self.name = ".".join(self.attr)

    def read(self, item: dict):
        node = item
        for part in self.attr:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return None
        if self.kind == "list":
            return ", ".join(str(v) for v in node) if isinstance(node, list) else str(node)
        if self.kind in ("number", "integer"):
            try:
                return float(node) if self.kind == "number" else int(node)
            except (TypeError, ValueError):
                return None
        if self.kind == "bool":
            return bool(node)
        return node if self.kind == "select" else str(node)

    def write(self, item: dict, value) -> None:
        if value is not None and not isinstance(value, (str, bool, int, float, list)):
            value = None if value != value else value  # NaN from an emptied cell
        if self.kind == "list" and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()] or None
        elif self.kind == "number" and value is not None:
            value = decimal(value) if value == value else None
            if isinstance(value, Decimal) and value == value.to_integral_value():
                value = int(value)
        elif self.kind == "integer" and value is not None:
            value = int(value) if value == value else None
        elif self.kind == "text" and value == "":
            value = None
        node = item
        for part in self.attr[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        if value is None:
            node.pop(self.attr[-1], None)
        else:
            node[self.attr[-1]] = value

    def config(self):
        cc = st.column_config
        if self.kind == "select":
            return cc.SelectboxColumn(self.label, options=self.options, required=self.required)
        if self.kind in ("number", "integer"):
            return cc.NumberColumn(self.label, step=self.step or (1 if self.kind == "integer" else 0.0001),
                                   required=self.required)
        if self.kind == "bool":
            return cc.CheckboxColumn(self.label)
        return cc.TextColumn(self.label, max_chars=self.max_chars, required=self.required)


def apply_delta(items: list[dict], delta: dict, columns: list[Col]) -> list[dict]:
    """The items after a data editor's edits: edited cells, deleted rows, added rows (in that order)."""
    import copy

    out = [copy.deepcopy(i) if isinstance(i, dict) else {} for i in items]
    for row, cells in (delta.get("edited_rows") or {}).items():
        row = int(row)
        if 0 <= row < len(out):
            for col in columns:
                if col.name in cells:
                    col.write(out[row], cells[col.name])
    deleted = {int(r) for r in delta.get("deleted_rows") or []}
    out = [item for i, item in enumerate(out) if i not in deleted]
    for cells in delta.get("added_rows") or []:
        item: dict = {}
        for col in columns:
            if col.name in cells:
                col.write(item, cells[col.name])
        out.append(item)
    return out[:MAX_ROWS]


def table(loc: tuple, columns: list[Col], dynamic: bool = True, height: int | None = None) -> None:
    """A list of spec items as an editable table; every edit goes into the draft at once."""
    import pandas as pd

    key = state.widget_key(loc, "t")
    base_key = "base:" + key
    if key not in st.session_state or base_key not in st.session_state:
        st.session_state[base_key] = [dict(i) if isinstance(i, dict) else {} for i in (state.get(loc) or [])]
    base = st.session_state[base_key]
    frame = pd.DataFrame([{c.name: c.read(item) for c in columns} for item in base], columns=[c.name for c in columns])
    st.data_editor(frame, key=key, num_rows="dynamic" if dynamic else "fixed", hide_index=True,
                   column_config={c.name: c.config() for c in columns}, on_change=_store_table,
                   args=(key, base_key, loc, columns), height=height or "auto", width="stretch")
    show_findings(findings_at(loc, exact=False))


def _store_table(key, base_key, loc, columns) -> None:
    delta = st.session_state.get(key) or {}
    state.put(loc, apply_delta(st.session_state[base_key], delta, columns))


def need_product() -> bool:
    """Say so and return False when no product is open."""
    if state.draft() is None:
        st.info(tr("product.none_open"), icon="ℹ️")
        return False
    return True
