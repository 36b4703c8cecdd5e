"""YAML load and save, exact decimals, the content hash, load errors with their place, the JSON Schema."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from helpers.spec_edits import MINI, edited, mini_data, mini_text, to_yaml

from product_specs import (
    SpecError,
    SpecFileError,
    dump_spec,
    json_schema,
    load_spec,
    loads_spec,
    save_spec,
    spec_hash,
)
from product_specs.spec import SECTIONS, ProductSpec


@pytest.fixture(scope="module")
def mini() -> ProductSpec:
    return load_spec(MINI)


# ---- round trip ------------------------------------------------------------------------------------------

def test_load_dump_load_gives_an_equal_spec(mini):
    again, _ = loads_spec(dump_spec(mini))
    assert again == mini
    assert spec_hash(again) == spec_hash(mini)


def test_save_and_load_a_file(mini, tmp_path):
    path = tmp_path / "saved.yaml"
    save_spec(mini, path)
    assert load_spec(path) == mini


def test_dump_is_stable(mini):
    first = dump_spec(mini)
    second = dump_spec(loads_spec(first)[0])
    assert first == second
    assert dump_spec(mini) == first


def test_dump_keeps_section_order(mini):
    keys = [line.split(":")[0] for line in dump_spec(mini).splitlines() if re.match(r"[a-z_]+:", line)]
    assert keys == [name for name in SECTIONS if name in keys]
    assert keys[:3] == ["product", "fields", "derived"] and keys[-1] == "tests"


def test_dump_keeps_item_and_key_order(mini):
    again = loads_spec(dump_spec(mini))[0]
    assert [r.code for r in again.admission] == ["R01", "R02", "R03"]
    assert list(again.decision.matrix) == ["prime", "standard"]
    assert list(again.decision.matrix["prime"]) == ["a", "b", "c"]


def test_dump_is_readable_unicode(mini):
    text = dump_spec(mini)
    assert "迷你经营贷" in text and "\\u" not in text


# ---- exact decimals ----------------------------------------------------------------------------------------

def test_decimals_stay_exact(mini):
    assert mini.limits.band_multipliers["c"] == Decimal("0.3")
    assert isinstance(mini.limits.band_multipliers["c"], Decimal)
    assert mini.pricing.base_apr == Decimal("0.12") and isinstance(mini.pricing.base_apr, Decimal)
    assert mini.pricing.band_spreads["a"] == Decimal("-0.01")
    assert mini.product.apr_cap == Decimal("0.24")


def test_dump_never_prints_binary_float_noise(mini):
    spec = mini.model_copy(deep=True)
    spec.limits.band_multipliers["c"] = Decimal("0.1") + Decimal("0.2")
    text = dump_spec(spec)
    assert "c: 0.3\n" in text
    assert "0.30000000000000004" not in text and not re.search(r"\d[eE][-+]?\d", text)
    assert loads_spec(text)[0].limits.band_multipliers["c"] == Decimal("0.3")


def test_money_round_trips_to_the_cent(tmp_path):
    data = edited({"limits.min": Decimal("10000.50"), "pricing.base_apr": Decimal("0.1235")})
    spec = loads_spec(to_yaml(data))[0]
    again = loads_spec(dump_spec(spec))[0]
    assert again.limits.min == Decimal("10000.50") and again.pricing.base_apr == Decimal("0.1235")


# ---- content hash -------------------------------------------------------------------------------------------

def _reversed_keys(node):
    if isinstance(node, dict):
        return {k: _reversed_keys(node[k]) for k in reversed(list(node))}
    if isinstance(node, list):
        return [_reversed_keys(v) for v in node]
    return node


def test_hash_ignores_key_order_formatting_and_comments(mini):
    reordered = loads_spec(to_yaml(_reversed_keys(mini_data())))[0]
    assert spec_hash(reordered) == spec_hash(mini)
    flow = to_yaml(mini_data(), flow=True)
    commented = "# a comment\n" + mini_text().replace("\nfields:", "\n# the data dictionary\nfields:  # here")
    assert spec_hash(loads_spec(commented)[0]) == spec_hash(mini)
    assert flow.startswith("{product: {") and flow.count("\n") < 10  # really a different layout
    assert spec_hash(loads_spec(flow)[0]) == spec_hash(mini)


def test_hash_ignores_trailing_zeros_and_spelt_out_defaults(mini):
    data = edited({"pricing.base_apr": Decimal("0.120"), "product.currency": "CNY",
                   "admission[R01].enabled": True})
    assert spec_hash(loads_spec(to_yaml(data))[0]) == spec_hash(mini)


@pytest.mark.parametrize(("path", "value"), [
    ("pricing.base_apr", Decimal("0.13")),
    ("admission[R02].when", "overdue_count_24m > 3"),
    ("product.name.zh", "迷你贷"),
    ("decision.matrix[standard][b]", "decline"),
    ("tests[0].applicant.age", 36),
])
def test_hash_changes_when_a_value_changes(mini, path, value):
    changed = loads_spec(to_yaml(edited({path: value})))[0]
    assert spec_hash(changed) != spec_hash(mini)
    assert len(spec_hash(changed)) == 64


def test_hash_changes_when_items_are_reordered(mini):
    data = mini_data()
    data["admission"].reverse()  # order is meaning: it is the order reasons are reported in
    assert spec_hash(loads_spec(to_yaml(data))[0]) != spec_hash(mini)


# ---- load errors ----------------------------------------------------------------------------------------------

def test_yaml_syntax_error_has_line_and_column():
    text = "product:\n  id: mini\n  name: {zh: 贷, en: loan\nfields: []\n"
    with pytest.raises(SpecFileError) as info:
        loads_spec(text, "bad.yaml")
    (finding,) = info.value.findings
    assert finding.code == "yaml_syntax" and finding.path == "bad.yaml"
    assert "YAML syntax error" in finding.message
    assert (finding.line, finding.column) == (4, 7)
    assert "\n" not in str(finding)


def test_tab_indentation_has_line_and_column():
    with pytest.raises(SpecFileError) as info:
        loads_spec("product:\n\tid: x\n")
    assert (info.value.findings[0].line, info.value.findings[0].column) == (2, 1)


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1:30.5"])
def test_floats_that_are_not_decimals_are_refused_with_a_place(value):
    with pytest.raises(SpecFileError) as info:
        loads_spec(f"product:\n  apr_cap: {value}\n")
    (finding,) = info.value.findings
    assert "not a finite decimal number" in finding.message
    assert (finding.line, finding.column) == (2, 12)


def test_deep_nesting_is_refused_without_a_traceback():
    with pytest.raises(SpecFileError):
        loads_spec("product: " + "[" * 5000 + "]" * 5000 + "\n")


def test_unsafe_yaml_tags_are_refused():
    with pytest.raises(SpecFileError) as info:
        loads_spec("product: !!python/object/apply:os.system ['touch x']\n")
    assert info.value.findings[0].line == 1


def test_duplicate_keys_are_refused_with_a_place():
    text = mini_text().replace("    when: overdue_count_24m > 2\n", "    when: overdue_count_24m > 2\n    when: age > 1\n")
    with pytest.raises(SpecFileError) as info:
        loads_spec(text)
    (finding,) = info.value.findings
    assert "duplicate key 'when'" in finding.message
    assert finding.line == _line_of(text, "when: age > 1")


def test_missing_file():
    with pytest.raises(SpecFileError) as info:
        load_spec(MINI.with_name("no_such_spec.yaml"))
    assert info.value.findings[0].code == "unreadable"
    assert "cannot read file" in info.value.findings[0].message


def test_not_a_mapping():
    with pytest.raises(SpecFileError) as info:
        loads_spec("- product\n")
    assert info.value.findings[0].code == "not_a_spec"


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_schema_errors_name_the_item_and_the_line():
    text = to_yaml(edited({"admission[R02].action": "approve", "fields[age].type": "int"},
                          deletes=["segments[prime].name"]))
    with pytest.raises(SpecError) as info:
        loads_spec(text)
    assert not isinstance(info.value, SpecFileError)
    found = {f.path: f for f in info.value.findings}
    action = found["admission[R02].action"]
    assert action.line == _line_of(text, "action: approve") and action.column is not None
    assert action.section == "admission" and action.item == "R02" and action.attribute == "action"
    assert "'approve' is not one of 'decline' or 'refer'" in action.message
    assert found["fields[age].type"].line == _line_of(text, "type: int")
    assert found["segments[prime].name"].hint == "add it"


def test_misspelt_key_is_an_error_with_a_hint():
    text = to_yaml(edited({"limits.stepp": 1000}))
    with pytest.raises(SpecError) as info:
        loads_spec(text)
    (finding,) = info.value.findings
    assert finding.path == "limits.stepp" and finding.hint == "did you mean 'step'?"
    assert finding.line == _line_of(text, "stepp:")


# ---- JSON Schema ----------------------------------------------------------------------------------------------

def test_json_schema_has_descriptions():
    schema = json.loads(json_schema())
    assert schema["title"] == "ProductSpec"
    assert schema["properties"]["admission"]["description"].startswith("Admission")
    rule = schema["$defs"]["AdmissionRule"]["properties"]
    assert "overdue_count_24m > 2" in rule["when"]["description"]
    assert set(schema["$defs"]["RuleAction"]["enum"]) == {"decline", "refer"}
    missing = [f"{name}.{prop}" for name, model in schema["$defs"].items()
               for prop, spec in model.get("properties", {}).items() if not spec.get("description")]
    assert missing == [], f"properties without help text: {missing}"
