"""Products: open a catalog product or a saved one, start from a template, clone, import and export YAML,
save versions, browse, diff and restore history, publish."""

import streamlit as st

from designer import use_cases
from designer.web import state
from designer.web import widgets as w
from designer.web.state import tr
from designer.workspace import NAME_PATTERN, WorkspaceError
from product_specs import SpecError
from product_specs.catalog import catalog_paths

STARTER = use_cases.STARTER_TEMPLATE


def open_text(name, text):
    try:
        state.open_text(name, text)
    except SpecError as err:
        st.error(tr("products.unreadable"), icon="⛔")
        w.show_findings(err.findings)
        return
    st.rerun()


def name_input(key, default=""):
    name = st.text_input(tr("products.name"), value=default, key=key, max_chars=64, help=tr("products.name_help"))
    ok = bool(NAME_PATTERN.match(name))
    if name and not ok:
        st.error(tr("products.bad_name"), icon="⛔")
    return name if ok else None


def with_id(text, name):
    data = use_cases.spec_data(text, name)
    if isinstance(data.get("product"), dict):
        data["product"]["id"] = name
    return use_cases.spec_text(data)


def open_tab():
    ws = state.workspace()
    st.subheader(tr("products.catalog"))
    paths = {p.stem: p for p in catalog_paths()}
    pick = st.selectbox(tr("products.catalog_pick"), list(paths), key="catalog_pick")
    st.caption(tr(f"reference.{pick}.title"))
    if st.button(tr("products.open"), key="open_catalog", type="primary"):
        open_text(pick, paths[pick].read_text(encoding="utf-8"))
    saved = ws.products()
    st.subheader(tr("products.workspace"))
    if not saved:
        st.caption(tr("products.workspace_empty"))
        return
    name = st.selectbox(tr("products.workspace_pick"), saved, key="workspace_pick")
    if st.button(tr("products.open_saved"), key="open_saved"):
        text = ws.read_draft(name)
        if text is None:
            latest = ws.latest(name)
            text = ws.read(name, latest.number) if latest else None
        if text is not None:
            open_text(name, text)


def new_tab():
    st.subheader(tr("products.template"))
    templates = {"starter": STARTER.read_text(encoding="utf-8")}
    templates.update({p.stem: p.read_text(encoding="utf-8") for p in catalog_paths()})
    pick = st.selectbox(tr("products.template_pick"), list(templates), key="template_pick",
                        format_func=w.labels_of(templates, lambda v: tr("products.starter") if v == "starter" else v))
    name = name_input("template_name")
    if st.button(tr("products.create"), key="create_from_template", disabled=name is None):
        open_text(name, with_id(templates[pick], name))
    st.subheader(tr("products.from_data"))
    st.info(tr("products.infer_not_yet"), icon="🚧")
    if state.draft() is not None:
        st.subheader(tr("products.clone"))
        clone = name_input("clone_name")
        if st.button(tr("products.clone_button"), key="clone", disabled=clone is None):
            open_text(clone, with_id(state.text(), clone))


def import_tab():
    st.subheader(tr("products.import"))
    upload = st.file_uploader(tr("products.import_file"), type=["yaml", "yml"], key="import_file")
    name = name_input("import_name")
    if st.button(tr("products.import_button"), key="import", disabled=upload is None or name is None):
        raw = upload.getvalue()
        if len(raw) > use_cases.MAX_SPEC_CHARS:
            st.error(tr("products.too_large"), icon="⛔")
        else:
            try:
                open_text(name, raw.decode("utf-8"))
            except UnicodeDecodeError:
                st.error(tr("products.not_utf8"), icon="⛔")
    if state.draft() is not None:
        st.subheader(tr("products.export"))
        st.download_button(tr("products.export_button"), state.text().encode("utf-8"),
                           file_name=f"{state.product()}.yaml", mime="application/x-yaml", key="export")


def versions_tab():
    if state.draft() is None:
        st.info(tr("product.none_open"))
        return
    ws, product = state.workspace(), state.product()
    outcome = state.outcome()
    note = st.text_input(tr("products.note"), key="version_note", max_chars=200)
    if st.button(tr("products.save"), key="save_version", type="primary"):
        checked = outcome.checked
        try:
            v = ws.save(product, state.text(), note, checked.spec_hash if checked else None, len(outcome.errors),
                        len(outcome.warnings))
            st.success(tr("products.saved", version=v.number), icon="💾")
        except (OSError, WorkspaceError) as err:
            st.error(w.md(str(err)), icon="⛔")
    versions = ws.versions(product)
    if not versions:
        st.caption(tr("products.no_versions"))
        return
    st.dataframe([{tr("products.version"): f"v{v.number}", tr("products.saved_at"): v.saved_at,
                   tr("products.note"): v.note, tr("status.errors"): v.errors, tr("status.warnings"): v.warnings,
                   tr("products.published"): "✅" if v.published else ""} for v in reversed(versions)],
                 hide_index=True, width="stretch")
    numbers = [v.number for v in versions]
    c1, c2 = st.columns(2)
    a = c1.selectbox(tr("products.diff_from"), numbers, index=max(0, len(numbers) - 2), key="diff_a",
                     format_func=lambda n: f"v{n}")
    b = c2.selectbox(tr("products.diff_to"), numbers, index=len(numbers) - 1, key="diff_b", format_func=lambda n: f"v{n}")
    diff = ws.diff(product, a, b)
    with st.expander(tr("products.diff", a=a, b=b), expanded=bool(diff)):
        st.code(diff or tr("products.no_diff"), language="diff")
    pick = st.selectbox(tr("products.version_pick"), list(reversed(numbers)), key="version_pick",
                        format_func=lambda n: f"v{n}")
    c1, c2 = st.columns(2)
    if c1.button(tr("products.restore"), key="restore"):
        try:
            v = ws.restore(product, pick)
            state.open_text(product, ws.read(product, v.number))
            st.session_state.flash = tr("products.restored", version=pick, new=v.number)
            st.rerun()
        except (OSError, WorkspaceError, SpecError) as err:
            st.error(w.md(str(err)), icon="⛔")
    if c2.button(tr("products.publish"), key="publish"):
        try:
            ws.publish(product, pick)
            st.success(tr("products.published_ok", version=pick), icon="🚀")
        except WorkspaceError as err:
            st.error(tr("products.publish_refused", reason=w.md(str(err))), icon="⛔")


st.header(tr("page.products"))
if st.session_state.get("flash"):
    st.success(st.session_state.pop("flash"))
if state.draft() is not None:
    st.caption(tr("products.editing", name=w.md(state.product())))
tabs = st.tabs([tr("products.tab_open"), tr("products.tab_new"), tr("products.tab_import"), tr("products.tab_versions")])
with tabs[0]:
    open_tab()
with tabs[1]:
    new_tab()
with tabs[2]:
    import_tab()
with tabs[3]:
    versions_tab()
