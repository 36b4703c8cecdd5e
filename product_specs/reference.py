"""The spec reference (docs/spec.md), generated from the models' docstrings and a catalog product's values.

Every section and key of `ProductSpec` is listed with its type, whether it is required (or its default),
an example and what it means and changes, all read from the pydantic models, so a key added to a model
appears here at the next regeneration; `tests/product_specs/test_spec_reference.py` fails when
docs/spec.md is stale. Regenerate with:

    .venv/bin/python -m product_specs.reference --write docs/spec.md
"""

from __future__ import annotations

import enum
import inspect
import json
import sys
import typing
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from . import limits
from .catalog import catalog_paths
from .io import read_yaml
from .spec import ProductSpec

__all__ = ["spec_reference", "main"]

REGENERATE = ".venv/bin/python -m product_specs.reference --write docs/spec.md"
_EXAMPLE_PRODUCTS = ("tax_sme_loan", "consumer_instalment_loan", "scenario_sme_loan", "regional_micro_loan")
_WIDTH = 48  # longest example shown in a table cell


def _examples() -> list[dict]:
    by_name = {p.stem: p for p in catalog_paths()}
    out = []
    for name in _EXAMPLE_PRODUCTS:
        if name in by_name:
            out.append(read_yaml(by_name[name].read_text(encoding="utf-8"), str(by_name[name]))[0])
    return out


def _find(data, path: tuple):
    """The first value at `path` ('[]' steps into every list item), or PydanticUndefined."""
    if not path:
        return data
    head, rest = path[0], path[1:]
    if head == "[]":
        for item in data if isinstance(data, list) else []:
            found = _find(item, rest)
            if found is not PydanticUndefined:
                return found
        return PydanticUndefined
    if head == "{}":
        for item in (data.values() if isinstance(data, dict) else []):
            found = _find(item, rest)
            if found is not PydanticUndefined:
                return found
        return PydanticUndefined
    if isinstance(data, dict) and head in data:
        return _find(data[head], rest)
    return PydanticUndefined


def _plain(value):
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _inline(value) -> str:
    """A value as one line of YAML flow style, shortened for a table cell."""
    if isinstance(value, str):
        text = value if value and not any(c in value for c in ":#{}[],'\"") and value.strip() == value else json.dumps(
            value, ensure_ascii=False)
    else:
        text = json.dumps(_plain(value), ensure_ascii=False).replace('"', "")
    text = text.replace("|", "\\|")
    return text if len(text) <= _WIDTH else text[:_WIDTH - 3] + "..."


# ---- types --------------------------------------------------------------------------------------------

def _constraint(metadata, name):
    for item in metadata:
        value = getattr(item, name, None)
        if value is not None:
            return value
    return None


def _type(annotation, metadata=()) -> str:
    """A type in a product manager's words: `name`, `rule`, `list of Band`, `one of: a, b`."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type(args[0], tuple(args[1:]) + tuple(metadata))
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        kinds = [_type(a, metadata) for a in args if a is not type(None)]
        return " or ".join(kinds)
    if origin is list:
        return f"list of {_type(args[0])}"
    if origin is dict:
        return f"mapping of name to {_type(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "one of: " + ", ".join(f"`{m.value}`" for m in annotation)
    pattern = _constraint(metadata, "pattern")
    if annotation is str:
        if pattern == r"^[a-z][a-z0-9_]*$":
            return "name (lower case, digits, `_`)"
        if pattern == r"^[A-Z][A-Z0-9_]*$":
            return "code (upper case, digits, `_`)"
        if _constraint(metadata, "max_length") == limits.RULE_MAX_LENGTH:
            return "rule ([rule language](rules.md))"
        if pattern:
            return f"text matching `{pattern}`"
        return "text"
    if annotation is bool:
        return "`true` or `false`"
    if annotation is int:
        return "whole number"
    if annotation is Decimal:
        places = _constraint(metadata, "decimal_places")
        low, high = _constraint(metadata, "ge"), _constraint(metadata, "le")
        if places == 8 and high == 1:
            return "rate (fraction: 0.12 = 12%)" if low in (-1, 0) else "number"
        if places == 2:
            return "amount (at most 2 decimals)"
        return "number"
    if annotation is typing.Any:
        return "any value"
    return getattr(annotation, "__name__", str(annotation))


def _bounds(metadata) -> str:
    words = []
    for name, text in (("ge", ">= {}"), ("gt", "> {}"), ("le", "<= {}"), ("lt", "< {}"), ("min_length", "min length {}"),
                       ("max_length", "max length {}")):
        value = _constraint(metadata, name)
        if value is not None and not (name == "max_length" and value == limits.RULE_MAX_LENGTH):
            words.append(text.format(value))
    return ", ".join(words)


def _default(field) -> str:
    if field.is_required():
        return "**required**"
    value = field.default
    if value is None:
        return "empty"
    if isinstance(value, enum.Enum):
        return f"`{value.value}`"
    if isinstance(value, BaseModel):
        data = value.model_dump(mode="json", exclude_none=True)
        return "`" + _inline(data) + "`" if data else "all defaults"
    if value == [] or value == {}:
        return "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{_inline(value)}`"


def _models_in(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _doc(obj) -> str:
    return " ".join((inspect.cleandoc(obj.__doc__ or "")).split())


def _enums_in(annotation) -> list[type[enum.Enum]]:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [annotation]
    return [e for arg in typing.get_args(annotation) for e in _enums_in(arg)]


# ---- the document ---------------------------------------------------------------------------------------

def _model_section(model: type[BaseModel], where: str, examples: list[dict], path: tuple) -> list[str]:
    lines = [f"### {model.__name__}", "", f"Where: `{where}`. {_doc(model)}", ""]
    lines += ["| key | type | required / default | example | what it is and what it changes |",
              "| --- | --- | --- | --- | --- |"]
    notes = []
    for name, field in model.model_fields.items():
        kind = _type(field.annotation, field.metadata)
        bounds = _bounds(field.metadata)
        if bounds:
            kind += f" ({bounds})"
        example = next((v for data in examples for v in [_find(data, path + (name,))] if v is not PydanticUndefined),
                       PydanticUndefined)
        shown = "" if example is PydanticUndefined or isinstance(example, dict | list) and _models_in(
            field.annotation) else f"`{_inline(example)}`"
        description = (field.description or "").replace("\n", " ").replace("|", "\\|")
        lines.append(f"| `{name}` | {kind} | {_default(field)} | {shown} | {' '.join(description.split())} |")
        for kind_enum in _enums_in(field.annotation):
            if kind_enum.__doc__ and kind_enum.__doc__ != enum.Enum.__doc__ and "An enumeration" not in kind_enum.__doc__:
                notes.append(f"`{name}`: {_doc(kind_enum)}")
    if notes:
        lines += [""] + notes
    return lines + [""]


def _section_example(name: str, examples: list[dict]) -> list[str]:
    import yaml

    for data in examples:
        if name in data:
            value = data[name]
            if isinstance(value, list):
                value = value[:1]
            text = yaml.safe_dump({name: _plain(value)}, allow_unicode=True, sort_keys=False, width=100)
            shown = text.splitlines()
            if len(shown) > 24:
                shown = shown[:24] + ["  # ..."]
            return ["```yaml", *shown, "```", ""]
    return []


def spec_reference() -> str:
    """The text of docs/spec.md."""
    examples = _examples()
    out = [
        "# The product spec: reference (产品规格参考)",
        "",
        "<!-- Generated by product_specs/reference.py from the models' docstrings (product_specs/sections/) and",
        f"     the catalog's values. Do not edit by hand: change a docstring, then run `{REGENERATE}`.",
        "     tests/product_specs/test_spec_reference.py fails when this file is stale. -->",
        "",
        "A product is one YAML file with the sections below, in this order. Unknown keys are errors (a misspelt",
        "key is never ignored), numbers are exact decimals, and every rule is written in the",
        "[rule language](rules.md). What a checked spec decides is in [decision.md](decision.md); the bounds",
        "on every input are in [limits.md](limits.md); [first-product.md](first-product.md) builds a new",
        "product step by step. Examples come from the catalog (`product_specs/catalog/`).",
        "",
        "## Sections",
        "",
        "| section | type | required / default | what it is |",
        "| --- | --- | --- | --- |",
    ]
    for name, field in ProductSpec.model_fields.items():
        out.append(f"| `{name}` | {_type(field.annotation, field.metadata)} | {_default(field)} | "
                   f"{' '.join((field.description or '').split())} |")
    out.append("")
    seen: set[type[BaseModel]] = set()
    for name, field in ProductSpec.model_fields.items():
        out += [f"## `{name}`", "", " ".join((field.description or "").split()), ""]
        out += _section_example(name, examples)
        step = ("[]",) if typing.get_origin(field.annotation) is list else ()
        queue = [(m, name + ("[]" if step else ""), (name, *step)) for m in _models_in(field.annotation)]
        while queue:
            model, where, path = queue.pop(0)
            if model in seen:
                continue
            seen.add(model)
            out += _model_section(model, where, examples, path)
            for key, sub in model.model_fields.items():
                origin = typing.get_origin(sub.annotation)
                inner = ("[]",) if origin is list else ("{}",) if origin is dict else ()
                for found in _models_in(sub.annotation):
                    queue.append((found, f"{where}.{key}{'[]' if origin is list else ''}", path + (key, *inner)))
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """`python -m product_specs.reference [--write PATH]`: print docs/spec.md, or write it."""
    argv = sys.argv[1:] if argv is None else argv
    text = spec_reference()
    if argv[:1] == ["--write"] and len(argv) == 2:
        Path(argv[1]).write_text(text, encoding="utf-8")
        print(f"wrote {argv[1]}")
    elif not argv:
        sys.stdout.write(text)
    else:
        print("usage: python -m product_specs.reference [--write docs/spec.md]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
