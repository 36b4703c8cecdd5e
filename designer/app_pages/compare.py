"""Compare: the product (challenger) against a champion: a catalog product, a saved version or the catalog
original (baseline); structural diff, swap sets, outcome and money deltas."""

import streamlit as st

from designer import use_cases
from designer.web import results, state
from designer.web import widgets as w
from designer.web.state import tr
from designer.workspace import NAME_PATTERN
from product_specs import SpecError
from product_specs.catalog import catalog_path, catalog_paths
from validation.analysis.compare import spec_changes
from validation.analysis.simulate import SimulationError


def champion_choices():
    out = []
    pid = state.get(("product", "id"))
    if isinstance(pid, str) and NAME_PATTERN.match(pid) and catalog_path(pid).is_file():
        out.append(("baseline", pid))
    out += [("catalog", p.stem) for p in catalog_paths()]
    out += [("version", v.number) for v in state.workspace().versions(state.product())]
    return out


def label(choice):
    kind, value = choice
    if kind == "baseline":
        return tr("compare.baseline", id=value)
    if kind == "catalog":
        return tr("compare.catalog", id=value)
    return tr("compare.version", number=value)


def champion_text(choice) -> str:
    kind, value = choice
    if kind == "version":
        return state.workspace().read(state.product(), value)
    return catalog_path(value).read_text(encoding="utf-8")


st.header(tr("page.compare"))
if w.need_product():
    checked = state.checked()
    if checked is None:
        st.warning(tr("sim.fix_errors"), icon="⚠️")
    else:
        choices = champion_choices()
        pick = st.selectbox(tr("compare.champion"), choices, format_func=w.labels_of(choices, label), key="compare_champion")
        outcome = use_cases.check_text(champion_text(pick), "champion")
        champion = outcome.report.checked if outcome.report is not None else None
        if champion is None:
            st.error(tr("compare.champion_invalid"), icon="⛔")
            w.show_findings(outcome.errors[:10])
        else:
            changes = spec_changes(champion.spec, checked.spec)
            st.subheader(tr("compare.structural", count=len(changes)))
            if changes:
                st.dataframe([{tr("compare.category"): c.category, tr("compare.path"): c.path, tr("compare.kind"): c.kind,
                               tr("compare.before"): str(c.before)[:200], tr("compare.after"): str(c.after)[:200]}
                              for c in changes], hide_index=True, width="stretch")
            key = (champion.spec_hash, checked.spec_hash)
            if st.button(tr("compare.run"), key="compare_run", type="primary"):
                bar = st.progress(0.0)
                try:
                    data = use_cases.default_data(checked, state.samples_dir())
                    result = use_cases.simulate_product(checked, data.source, champion,
                                                        lambda s, d, t: bar.progress(min(1.0, d / t) if t else 0.0, text=s))
                    result.result = None
                    st.session_state["comparison"] = (key, result)
                except (SimulationError, SpecError) as err:
                    st.error(w.md(str(err)), icon="⛔")
                bar.empty()
            found = st.session_state.get("comparison")
            if found and found[0] == key and found[1].comparison is not None:
                results.comparison(found[1].comparison)
