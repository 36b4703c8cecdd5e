"""Small edits of the mini spec for tests: address an item as `admission[R02].when`, change it, check it.

A path is dot-separated; `[key]` picks a list item by its code, id, name or field (or by index when the
key is a number) or a mapping entry by key. Edited data is written back to YAML text and loaded the way
a user's file is, so findings carry the same paths and line numbers a user sees.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import yaml

from product_specs import Finding, SpecError, check_spec, loads_spec
from product_specs.io import read_yaml

__all__ = ["MINI", "mini_text", "mini_data", "set_value", "delete", "append", "to_yaml", "findings_of", "edited",
           "load_cases"]

MINI = Path(__file__).parents[1] / "product_specs" / "fixtures" / "mini.yaml"
_PART = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")


def mini_text() -> str:
    return MINI.read_text(encoding="utf-8")


def mini_data() -> dict:
    """The mini spec as plain data (numbers as exact Decimals, as the loader reads them)."""
    return read_yaml(mini_text(), str(MINI))[0]


def _parts(path: str) -> list:
    parts: list = []
    for name, key in _PART.findall(path):
        parts.append(name if name else ("[]", key))
    return parts


def _step(node, part):
    if isinstance(part, tuple):
        key = part[1]
        if isinstance(node, list):
            if key.lstrip("-").isdigit():
                return int(key)
            for i, item in enumerate(node):
                if isinstance(item, dict) and key in (item.get("code"), item.get("id"), item.get("name"),
                                                      item.get("field")):
                    return i
            raise KeyError(f"no item {key!r}")
        return key
    return part


def _locate(data: dict, path: str):
    parts = _parts(path)
    node = data
    for part in parts[:-1]:
        node = node[_step(node, part)]
    return node, _step(node, parts[-1])


def set_value(data: dict, path: str, value) -> None:
    node, key = _locate(data, path)
    node[key] = value


def delete(data: dict, path: str) -> None:
    node, key = _locate(data, path)
    del node[key]


def append(data: dict, path: str, item) -> None:
    node, key = _locate(data, path)
    node[key].append(item)


class _Dumper(yaml.SafeDumper):
    pass


def _decimal(dumper: _Dumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    return dumper.represent_scalar("tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int", text)


_Dumper.add_representer(Decimal, _decimal)


def load_cases(path: Path) -> list:
    """A YAML case table, numbers read as exact Decimals like the spec loader does."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_CaseLoader)


class _CaseLoader(yaml.SafeLoader):
    pass


_CaseLoader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: Decimal(loader.construct_scalar(node)))


def to_yaml(data: dict, flow: bool = False) -> str:
    """YAML text of `data`; `flow` writes it in one {...} block instead of indented lines."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=flow)


def findings_of(text: str) -> list[Finding]:
    """Every finding a user would get for this YAML text: load errors, or else the static checks."""
    try:
        spec, lines = loads_spec(text, "spec.yaml")
    except SpecError as err:
        return err.findings
    return check_spec(spec, lines).findings


def edited(sets: dict | None = None, deletes=(), appends: dict | None = None) -> dict:
    """The mini data with `sets` (path -> value), `deletes` (paths) and `appends` (path -> item) applied."""
    data = mini_data()
    for path, item in (appends or {}).items():
        append(data, path, item)
    for path, value in (sets or {}).items():
        set_value(data, path, value)
    for path in deletes:
        delete(data, path)
    return data
