"""docs/spec.md is the spec reference generated from the models: it must be current, and complete."""

from __future__ import annotations

import difflib
from pathlib import Path

from pydantic import BaseModel

from product_specs import ProductSpec
from product_specs.reference import REGENERATE, spec_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "spec.md"


def _models(model: type[BaseModel], seen: set) -> set:
    import typing

    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            item = stack.pop()
            if isinstance(item, type) and issubclass(item, BaseModel):
                _models(item, seen)
            stack += list(typing.get_args(item))
    return seen


def test_spec_reference_is_current():
    want = spec_reference()
    have = DOC.read_text(encoding="utf-8")
    if have != want:
        diff = "".join(list(difflib.unified_diff(have.splitlines(True), want.splitlines(True), "docs/spec.md",
                                                 "regenerated", n=1))[:60])
        raise AssertionError(f"docs/spec.md is stale: run `{REGENERATE}`\n{diff}")


def test_every_section_model_and_key_is_documented():
    text = spec_reference()
    for model in _models(ProductSpec, set()):
        if model is ProductSpec:
            continue
        assert f"### {model.__name__}\n" in text, model.__name__
        section = text.split(f"### {model.__name__}\n", 1)[1].split("\n### ", 1)[0]
        for name, field in model.model_fields.items():
            assert f"| `{name}` |" in section, f"{model.__name__}.{name}"
            assert field.description, f"{model.__name__}.{name} has no docstring"
    for name in ProductSpec.model_fields:
        assert f"## `{name}`" in text


def test_regeneration_command_is_in_the_header():
    assert REGENERATE in DOC.read_text(encoding="utf-8").split("-->", 1)[0]
