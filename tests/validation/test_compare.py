"""Champion / challenger: swap sets, transitions, the outcome diff and the structural diff of two specs."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from product_specs import check_spec, load_checked
from product_specs.catalog import catalog_paths
from product_specs.sections import Outcome
from validation.analysis.compare import compare_products, compare_results, spec_changes
from validation.analysis.simulate import simulate
from validation.data.sample_data import default_sample

FIXTURES = Path(__file__).parent / "fixtures"
TINY_DATA = FIXTURES / "tiny_population.csv"


@pytest.fixture(scope="module")
def champion():
    return load_checked(FIXTURES / "tiny_product.yaml")


def challenger_of(checked, change):
    spec = checked.spec.model_copy(deep=True)
    change(spec)
    report = check_spec(spec)
    assert report.checked is not None, [str(f) for f in report.errors]
    return report.checked


def raise_band_b(spec):
    spec.decision.bands[1].min_score = 680  # b: 640 -> 680; the 660s fall to band c


def test_raising_a_cut_off_swaps_out_the_applicants_just_above_it(champion):
    challenger = challenger_of(champion, raise_band_b)
    _, _, c = compare_products(champion, challenger, TINY_DATA)
    # A03, A04: prime b approve -> prime c refer; A10: other b refer -> other c decline
    assert (c.swap_out.count, c.swap_out.referred, c.swap_out.bad_rate) == (2, 2, 0.0)
    assert c.swap_out.volume == 150_000
    assert (c.swap_in.count, c.swap_in.bad_rate) == (0, None)
    assert c.approval_rate_change == pytest.approx(-0.10)
    assert c.champion_bad_rate_approved == pytest.approx(1 / 7)
    assert c.challenger_bad_rate_approved == pytest.approx(1 / 5)
    moves = {(t.champion, t.challenger): t.count for t in c.transitions if t.count}
    assert moves == {("approve", "approve"): 5, ("approve", "refer"): 2, ("refer", "refer"): 4,
                     ("refer", "decline"): 1, ("decline", "decline"): 8}
    assert (c.changed_decision, c.changed_limit, c.changed_apr, c.diff_total) == (3, 1, 3, 3)
    assert [(s.category, s.path, s.kind, s.before, s.after) for s in c.spec_changes] == [
        ("cut-offs", "decision.bands[b].min_score", "changed", 640, 680)]


def test_outcome_diff_rows_name_each_change(champion):
    challenger = challenger_of(champion, raise_band_b)
    _, _, c = compare_products(champion, challenger, TINY_DATA)
    rows = {r.applicant_id: r for r in c.diff_rows}
    assert set(rows) == {"A03", "A04", "A10"}
    a03 = rows["A03"]
    assert a03.changes == ["decision", "apr"]
    assert (a03.champion_decision, a03.challenger_decision) == ("approve", "refer")
    assert (a03.champion_band, a03.challenger_band) == ("b", "c")
    assert (a03.champion_apr, a03.challenger_apr) == (pytest.approx(0.12), pytest.approx(0.14))
    assert a03.champion_reasons == [] and a03.challenger_reasons == ["M02"]
    a10 = rows["A10"]
    assert a10.changes == ["decision", "limit", "apr"]
    assert (a10.challenger_decision, a10.challenger_limit, a10.challenger_reasons) == ("decline", None, ["M01"])
    assert a10.bad == 1


def test_opening_a_matrix_cell_swaps_in_and_the_diff_is_json(champion):
    def open_other_c(spec):
        spec.decision.matrix["other"]["c"] = Outcome.APPROVE
        spec.pricing.base_apr = Decimal("0.11")

    challenger = challenger_of(champion, open_other_c)
    _, _, c = compare_products(champion, challenger, TINY_DATA)
    # A17 (other c, declined M01, went bad) is now approved; every approved and referred APR moves
    assert (c.swap_in.count, c.swap_in.referred, c.swap_in.bad_rate) == (1, 0, 1.0)
    assert c.swap_in.volume == 100_000
    assert c.changed_decision == 1 and c.changed_apr == 13
    assert c.diff_rows[0].applicant_id == "A17"  # decision changes come first
    assert {(s.category, s.path, s.before, s.after) for s in c.spec_changes} == {
        ("matrix", "decision.matrix.other.c", "decline", "approve"), ("pricing", "pricing.base_apr", 0.1, 0.11)}
    data = json.loads(json.dumps(c.to_dict()))
    assert data["swap_in"]["count"] == 1 and data["diff_truncated"] is False
    assert len(data["diff_rows"]) == 13


def test_diff_rows_are_capped_but_counted(champion):
    challenger = challenger_of(champion, lambda s: setattr(s.pricing, "base_apr", Decimal("0.11")))
    _, _, c = compare_products(champion, challenger, TINY_DATA, max_diff_rows=5)
    assert c.diff_total == 12 and len(c.diff_rows) == 5 and c.diff_truncated


def test_personal_ids_are_masked_in_the_diff(champion):
    def pii_id(spec):
        spec.fields[0].pii = True
        raise_band_b(spec)

    challenger = challenger_of(champion, pii_id)
    _, _, c = compare_products(champion, challenger, TINY_DATA)
    assert [r.applicant_id for r in c.diff_rows] == ["A**", "A**", "A**"]  # A03, A04, A10


def test_populations_of_different_sizes_are_refused(champion):
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(TINY_DATA)
    with pytest.raises(ValueError, match="same data"):
        compare_results(simulate(champion, table), simulate(champion, table.slice(0, 10)))


def test_structural_diff_names_rules_added_removed_and_changed(champion):
    spec = champion.spec.model_copy(deep=True)
    removed = spec.admission.pop(0)
    spec.admission[0].when = "overdue >= 4"
    spec.admission.append(removed.model_copy(update={"code": "R09"}))
    spec.limits.max = Decimal(400000)
    spec.channels[1].limit_cap = Decimal(60000)
    spec.decision.review_triggers[0].when = "requested_amount > 300000"
    changes = {(s.category, s.path, s.kind) for s in spec_changes(champion.spec, spec)}
    assert changes == {
        ("rules", "admission[R01]", "removed"), ("rules", "admission[R02].when", "changed"),
        ("rules", "admission[R09]", "added"), ("limits", "limits.max", "changed"),
        ("channels", "channels[web].limit_cap", "changed"),
        ("rules", "decision.review_triggers[T01].when", "changed")}
    assert spec_changes(champion.spec, champion.spec) == []


def _raise_lowest_approving_cut_off(spec) -> None:
    bands = spec.decision.bands
    approving = [i for i, b in enumerate(bands) if b.min_score is not None
                 and any(row[b.id] is Outcome.APPROVE for row in spec.decision.matrix.values())]
    i = approving[-1]
    room = bands[i - 1].min_score - bands[i].min_score - 1 if i > 0 else 40
    bands[i].min_score += min(40, room)


@pytest.mark.parametrize("path", catalog_paths(), ids=lambda p: p.stem)
def test_raising_one_cut_off_of_a_catalog_product_swaps_out_riskier_applicants(path, samples_dir):
    champion = load_checked(path)
    challenger = challenger_of(champion, _raise_lowest_approving_cut_off)
    _, _, c = compare_products(champion, challenger, default_sample(champion.product_id, samples_dir))
    assert c.swap_out.count > 0
    assert c.swap_out.bad_rate > c.champion_bad_rate_approved
    assert c.challenger_bad_rate_approved < c.champion_bad_rate_approved
    assert [s.category for s in c.spec_changes] == ["cut-offs"]


def test_changes_to_the_second_scorecard_are_named_as_cut_offs_and_matrix():
    champion = load_checked(next(p for p in catalog_paths() if p.stem == "tax_sme_loan")).spec
    data = champion.model_dump(mode="python", exclude_none=True)
    data["scorecard"]["second"]["grades"][0]["min_score"] += 5
    data["scorecard"]["second"]["matrix"]["e"]["t1"] = "d"
    data["scorecard"]["second"]["characteristics"][0]["bins"][0]["points"] += 1
    challenger = type(champion).model_validate(data)
    found = {(s.category, s.path) for s in spec_changes(champion, challenger)}
    assert ("cut-offs", "scorecard.second.grades[t1].min_score") in found
    assert ("matrix", "scorecard.second.matrix.e.t1") in found
    assert any(category == "scorecard" and path.startswith("scorecard.second.characteristics")
               for category, path in found), found
