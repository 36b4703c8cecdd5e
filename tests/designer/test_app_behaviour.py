"""What a product manager sees: errors beside the widget with the text kept, cut-offs moving the approval
rate, the try form agreeing with `loanstudio decide`, versions round-tripping byte for byte."""

import json

from helpers.designer_app import go, open_catalog
from typer.testing import CliRunner

from designer.cli import app as cli
from product_specs.catalog import catalog_path


def rule_key(at, code: str) -> str:
    rules = at.session_state["draft"]["admission"]
    index = next(i for i, r in enumerate(rules) if r["code"] == code)
    return f"w{at.session_state['rev']}|admission.{index}.when"


def test_an_unknown_field_shows_the_error_beside_the_rule_and_keeps_the_text(app):
    open_catalog(app)
    go(app, "admission")
    key = rule_key(app, "R08")
    app.text_input(key=key).input("overdue_cnt_24m >= 6").run()
    assert not app.exception
    assert app.text_input(key=key).value == "overdue_cnt_24m >= 6"
    errors = [e.value for e in app.error]
    assert any("unknown field" in e and "overdue\\_count\\_24m" in e for e in errors), errors
    assert app.sidebar.metric[0].value == "1"
    go(app, "decision")  # leave the page and come back: the text is still what was typed
    go(app, "admission")
    assert app.text_input(key=rule_key(app, "R08")).value == "overdue_cnt_24m >= 6"
    app.text_input(key=rule_key(app, "R08")).input("overdue_count_24m >= 6").run()
    assert not [e for e in app.error if "unknown field" in e.value]
    assert app.sidebar.metric[0].value == "0"


def test_the_condition_builder_appends_a_condition(app):
    open_catalog(app)
    go(app, "admission")
    key = rule_key(app, "R09")
    index = key.rsplit(".", 2)[-2]
    rev = app.session_state["rev"]
    app.selectbox(key=f"bf{rev}|admission.{index}.when").select("owner_age").run()
    app.selectbox(key=f"bo{rev}|admission.{index}.when").select(">").run()
    app.text_input(key=f"bv{rev}|admission.{index}.when").input("60").run()
    app.button(key=f"ba{rev}|admission.{index}.when").click().run()
    assert app.text_input(key=key).value == "credit_inquiries_3m > 6 and owner_age > 60"
    assert app.session_state["draft"]["admission"][int(index)]["when"] == "credit_inquiries_3m > 6 and owner_age > 60"


def approval(at) -> str:
    label = "Approval rate"
    return next(m.value for m in at.metric if m.label.startswith(label))


def test_changing_a_cut_off_changes_the_simulated_approval_rate(app):
    app.session_state["lang"] = "en"
    open_catalog(app)
    go(app, "simulate")
    app.button(key="sim_run").click().run()
    before = approval(app)
    go(app, "decision")
    bands = app.session_state["draft"]["decision"]["bands"]
    c = next(i for i, b in enumerate(bands) if b["id"] == "c")
    app.number_input(key=f"w{app.session_state['rev']}|decision.bands.{c}.min_score").set_value(345).run()
    assert app.session_state["draft"]["decision"]["bands"][c]["min_score"] == 345
    go(app, "simulate")
    assert not [m for m in app.metric if m.label.startswith("Approval rate")], "the old figures are not shown"
    app.button(key="sim_run").click().run()
    after = approval(app)
    assert before != after and float(after.rstrip("%")) < float(before.rstrip("%"))


def test_the_try_form_returns_what_loanstudio_decide_returns(app, tmp_path):
    open_catalog(app)
    go(app, "try_applicant")
    app.selectbox(key="try_example").select(3).run()
    app.button(key="try_fill").click().run()
    app.button(key="try_decide").click().run()
    assert not app.exception
    shown = app.session_state["try_result"][1]
    fields = [f["name"] for f in app.session_state["draft"]["fields"]]
    applicant = {name: app.session_state[f"try|{name}"] for name in fields}
    path = tmp_path / "applicant.json"
    path.write_text(json.dumps(applicant, default=str), encoding="utf-8")
    result = CliRunner().invoke(cli, ["decide", str(catalog_path("tax_sme_loan")), "--applicant", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == json.loads(json.dumps(shown, default=str))
    assert shown["decision"] == "decline" and [r["code"] for r in shown["reasons"]] == ["R08", "R09"]
    texts = [t.value for t in app.text]
    assert any(t.startswith("拒绝: R08") for t in texts), texts


def test_save_reload_and_restore_round_trip_byte_for_byte(app, workspace_dir):
    from helpers.designer_app import APP
    from streamlit.testing.v1 import AppTest

    open_catalog(app)
    go(app, "products")
    app.button(key="save_version").click().run()
    saved = (workspace_dir / "tax_sme_loan" / "v0001.yaml").read_bytes()
    go(app, "admission")
    app.text_input(key=rule_key(app, "R05")).input("annual_tax_sales < 600000").run()
    go(app, "products")
    app.button(key="save_version").click().run()
    assert (workspace_dir / "tax_sme_loan" / "v0002.yaml").read_bytes() != saved

    reloaded = AppTest.from_file(str(APP), default_timeout=60)  # a browser reload: a new session
    reloaded.run()
    assert reloaded.session_state["product"] == "tax_sme_loan"
    assert reloaded.session_state["draft"]["admission"][4]["when"] == "annual_tax_sales < 600000"
    go(reloaded, "products")
    reloaded.selectbox(key="version_pick").select(1).run()
    reloaded.button(key="restore").click().run()
    assert not reloaded.exception
    assert (workspace_dir / "tax_sme_loan" / "v0003.yaml").read_bytes() == saved
    assert reloaded.session_state["draft"]["admission"][4]["when"] == "annual_tax_sales < 500000"
    assert (workspace_dir / "tax_sme_loan" / "draft.yaml").read_bytes() == saved


def test_an_unsaved_draft_survives_a_reload(app, workspace_dir):
    from helpers.designer_app import APP
    from streamlit.testing.v1 import AppTest

    open_catalog(app)
    go(app, "admission")
    app.text_input(key=rule_key(app, "R02")).input("owner_age < 2O").run()  # a typo: letter O
    reloaded = AppTest.from_file(str(APP), default_timeout=60)
    reloaded.run()
    go(reloaded, "admission")
    assert reloaded.text_input(key=rule_key(reloaded, "R02")).value == "owner_age < 2O"
    assert reloaded.error, "the error is shown again after the reload"


def test_publishing_needs_a_simulation(app, workspace_dir):
    open_catalog(app)
    go(app, "products")
    app.button(key="save_version").click().run()
    app.button(key="publish").click().run()
    assert any("simulat" in e.value for e in app.error)
    go(app, "simulate")
    app.button(key="sim_run").click().run()
    go(app, "products")
    app.button(key="publish").click().run()
    assert not app.error
    assert app.session_state["draft"] is not None
    from designer.workspace import Workspace

    assert Workspace(workspace_dir).version("tax_sme_loan", 1).published


def test_the_simulate_page_ages_the_approved_book(app):
    app.session_state["lang"] = "en"
    open_catalog(app)
    go(app, "simulate")
    app.number_input(key="sim_months").set_value(18).run()
    app.button(key="sim_run").click().run()
    assert not app.exception
    m3 = next(m for m in app.metric if m.label == "M3+ rate at month 12")
    assert m3.value.endswith("%") and float(m3.value.rstrip("%")) > 0
    assert next(m for m in app.metric if m.label == "M3+ rate at month 24").value == "—"  # aged 18 months only
    outcome = next(iter(app.session_state["simulations"].values()))
    assert outcome.metrics.post_loan.months == 18 and len(outcome.metrics.post_loan.vintage) == 18
    assert any("aged 18 months" in c.value for c in app.caption)
    app.number_input(key="sim_months").set_value(0).run()
    app.button(key="sim_run").click().run()
    outcome = next(iter(app.session_state["simulations"].values()))
    assert outcome.metrics.post_loan is None and not [m for m in app.metric if m.label == "M3+ rate at month 12"]


def test_the_second_scorecard_matrix_is_edited_removed_and_added_back(app):
    """The tax product's two models: a cell of the band x grade matrix changes the draft; removing the second
    scorecard drops its PD slope too (no error left behind); adding one back gives a checkable default."""
    app.session_state["lang"] = "en"
    open_catalog(app)
    go(app, "scorecard")
    assert any("Second scorecard" in h.value for h in app.subheader)
    rev = app.session_state["rev"]
    app.selectbox(key=f"w{rev}|scorecard.second.matrix.e.t1").select("d").run()
    assert not app.exception
    assert app.session_state["draft"]["scorecard"]["second"]["matrix"]["e"]["t1"] == "d"
    assert app.sidebar.metric[0].value == "0"  # no error
    app.button(key="scorecard_second_remove").click().run()
    assert not app.exception
    card = app.session_state["draft"]["scorecard"]
    assert card.get("second") is None and "second_slope" not in (card.get("calibration") or {})
    # one model now decides: the examples written for two fail (errors), the stale PD is a warning, and no
    # error is left about the second score's slope
    shown = [e.value for e in app.error] + [w.value for w in app.warning]
    assert any("points changed after the PD calibration" in t for t in shown), shown
    assert not any("second score" in t for t in shown), shown
    app.button(key="scorecard_second_add").click().run()
    assert not app.exception
    second = app.session_state["draft"]["scorecard"]["second"]
    bands = [b["id"] for b in app.session_state["draft"]["decision"]["bands"]]
    assert set(second["matrix"]) == set(bands) and [g["id"] for g in second["grades"]] == ["g1", "g2"]
    shown = [e.value for e in app.error] + [w.value for w in app.warning]
    assert not any("scorecard.second" in t for t in shown), shown  # the default is a valid second scorecard
    assert any("no PD fitted on both scores" in t for t in shown), shown


def test_the_second_scorecard_is_trained_in_the_designer_and_taken_into_the_draft(app):
    """The risk analyst's training, from the browser as from `loanstudio scorecard train --model second`: the
    tax loan's firm scorecard is retrained on the default sample, the figures are shown, and only "take it into
    the draft" changes the draft."""
    app.session_state["lang"] = "en"
    open_catalog(app)
    go(app, "cutoffs")
    before = json.dumps(app.session_state["draft"], sort_keys=True, default=str)
    app.radio(key="train_model_en").set_value("Second scorecard").run()
    app.button(key="train_run").click().run()
    assert not app.exception, [e.value for e in app.exception]
    shown = [t.value for t in app.text]
    assert any(line.startswith("test: AUC") for line in shown), shown
    assert any("both together" in line for line in shown), shown
    assert json.dumps(app.session_state["draft"], sort_keys=True, default=str) == before  # nothing applied yet
    app.button(key="train_apply").click().run()
    assert not app.exception
    draft = app.session_state["draft"]
    assert draft["product"]["version"] == "1.1.0"
    assert draft["scorecard"]["second"]["characteristics"] != json.loads(before)["scorecard"]["second"]["characteristics"]
    assert all(ch["reason_code"].startswith("S") for ch in draft["scorecard"]["second"]["characteristics"])
    assert "second_slope" in draft["scorecard"]["calibration"]
