"""Checks that catch a meaningless simulation: a rule that never or always hits, a constant field, a field
that copies another, a relation the data breaks; and no false alarm on a believable sample."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from validation.analysis.metrics import compute_metrics
from validation.analysis.sample_quality import analyse
from validation.analysis.simulate import simulate


def _quality(checked, frame):
    return analyse(checked, pa.Table.from_pandas(frame, preserve_index=False))


@pytest.fixture
def frame(sample_population):
    return sample_population.head(5000).copy()


def test_a_believable_sample_draws_no_warning(sample_product, sample_population):
    quality = _quality(sample_product, sample_population)
    assert quality.warnings() == []
    assert {r.path for r in quality.rules} >= {"admission[R01]", "admission[R02]", "admission[R03]",
                                                "channels[wechat].rules[W01]", "segments[prime]",
                                                "decision.review_triggers[T01]", "pricing.adjustments[low_debt]"}
    w01 = quality.rule("channels[wechat].rules[W01]")
    assert w01.eligible == (sample_population["channel"] == "wechat").sum() and 0 < w01.hits < w01.eligible


def test_a_rule_that_never_hits_and_a_constant_field(sample_product, frame):
    frame["age"] = 40
    warnings = _quality(sample_product, frame).warnings()
    assert "admission[R01] never hits on these 5,000 applicants" in warnings[0]
    assert "field age is 40 on every row: rules on it cannot tell applicants apart" in warnings


def test_a_rule_that_always_hits(sample_product, frame):
    frame["overdue_count_24m"] = 5
    quality = _quality(sample_product, frame)
    assert quality.rule("admission[R02]").hits == 5000
    assert any(w.startswith("admission[R02] hits every one of these 5,000 applicants") for w in quality.warnings())


def test_a_field_copied_from_another(sample_product, frame):
    """Issue 15: current_overdue_count came out an exact copy of overdue_count_24m."""
    frame["overdue_count_24m"] = frame["credit_inquiries_3m"]
    copies = _quality(sample_product, frame).copies
    assert [(c.field, c.other, c.share) for c in copies] == [("overdue_count_24m", "credit_inquiries_3m", 1.0)]


def test_two_rare_flags_are_not_copies_of_each_other(sample_product, frame):
    rng = np.random.default_rng(0)
    frame["likes_cats"] = rng.random(len(frame)) < 0.003
    frame["is_mystery_flag"] = rng.random(len(frame)) < 0.003
    assert _quality(sample_product, frame).copies == []


def test_a_relation_the_data_breaks(sample_product, frame):
    frame["years_filing"] = frame["years_filing"].astype("float64")
    frame.loc[:6, "years_filing"] = 45.0
    frame.loc[:6, "age"] = 30
    quality = _quality(sample_product, frame)
    assert quality.broken_relations == [("years_filing <= age - 16", 7)]
    assert "population relation 'years_filing <= age - 16' fails on 7 row(s)" in quality.warnings()


def test_simulate_reports_the_warnings_in_its_notes_and_the_metrics(sample_product, frame):
    frame["overdue_count_24m"] = frame["credit_inquiries_3m"]
    frame["age"] = 40
    result = simulate(sample_product, frame)
    notes = compute_metrics(result).notes
    assert any("admission[R01] never hits" in n for n in result.notes)
    assert any("is a copy of credit_inquiries_3m" in n for n in notes)
