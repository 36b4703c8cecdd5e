"""YAML load and save (with line numbers for findings) and JSON Schema export."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path

import yaml
from pydantic import ValidationError

from .errors import Finding, Severity, SpecError, SpecFileError
from .spec import SECTIONS, ProductSpec

__all__ = ["load_spec", "loads_spec", "read_yaml", "dump_spec", "save_spec", "json_schema", "LineMap",
           "item_path"]


class _Loader(yaml.SafeLoader):
    """Safe YAML, with every float read as an exact Decimal (0.3 stays 0.3) and duplicate keys refused."""

    def construct_mapping(self, node, deep=False):
        # plain YAML keeps the last of two equal keys: a second `when:` would silently replace the first
        seen = set()
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def _decimal(loader: _Loader, node: yaml.ScalarNode) -> Decimal:
    text = loader.construct_scalar(node).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:  # YAML 1.1 floats Decimal cannot read: .inf, .nan, 1:30.5 (base 60)
        value = None
    if value is None or not value.is_finite():
        raise yaml.constructor.ConstructorError(None, None, f"{text!r} is not a finite decimal number",
                                                node.start_mark)
    return value


_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: _Dumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_multi_representer(Enum, lambda d, v: d.represent_str(v.value))


class LineMap:
    """Maps a data path (('admission', 3, 'when')) to the line and column of its YAML node."""

    def __init__(self, root: yaml.Node | None):
        self.positions: dict[tuple, tuple[int, int]] = {}
        if root is not None:
            self._walk(root, ())

    def _walk(self, node: yaml.Node, path: tuple) -> None:
        self.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self.positions[path + (key.value,)] = (key.start_mark.line + 1, key.start_mark.column + 1)
                self._walk(value, path + (key.value,))
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                self._walk(value, path + (i,))

    def find(self, path: tuple) -> tuple[int | None, int | None]:
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return None, None


def item_path(data, loc: tuple) -> str:
    """Render a location as `admission[R04].when`, naming list items by their id, code or name."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            label = str(part)
            item = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(item, dict):
                for key in ("code", "id", "name", "field"):
                    if isinstance(item.get(key), str):
                        label = item[key]
                        break
            out += f"[{label}]"
            node = item
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def read_yaml(text: str, source: str = "<text>") -> tuple[dict, LineMap]:
    """Parse YAML text; syntax errors become a SpecFileError with line and column."""
    loader = _Loader(text)
    try:  # one parse: the node tree gives the line numbers, the same tree gives the data
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        message = f"YAML syntax error: {err.problem or err.context}"
        raise SpecFileError([Finding(Severity.ERROR, "yaml_syntax", source, message,
                                     "check indentation and quoting on that line", line=line,
                                     column=column)]) from None
    except yaml.YAMLError as err:
        raise SpecFileError([Finding(Severity.ERROR, "yaml_syntax", source, f"YAML error: {err}")]) from None
    except RecursionError:
        raise SpecFileError([Finding(Severity.ERROR, "yaml_syntax", source, "YAML nested too deeply")]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise SpecFileError([Finding(Severity.ERROR, "not_a_spec", source,
                                     "the file does not hold a product spec (a YAML mapping)",
                                     "a spec starts with 'product:'")])
    return data, LineMap(root)


def _validation_findings(err: ValidationError, data: dict, lines: LineMap) -> list[Finding]:
    findings = []
    for problem in err.errors():
        loc = tuple(problem["loc"])
        path = item_path(data, loc)
        line, column = lines.find(loc)
        section = str(loc[0]) if loc else ""
        item = path.split("[", 1)[1].split("]", 1)[0] if "[" in path else ""
        hint = ""
        if problem["type"] == "extra_forbidden":
            hint = "remove it or check its spelling"
        elif problem["type"] == "missing":
            hint = "add it"
        findings.append(Finding(Severity.ERROR, "schema", path, problem["msg"], hint, section, item,
                                str(loc[-1]) if loc else "", line, column))
    return findings


def loads_spec(text: str, source: str = "<text>") -> tuple[ProductSpec, LineMap]:
    """Load a spec from YAML text. Raises SpecFileError (unreadable) or SpecError (invalid)."""
    data, lines = read_yaml(text, source)
    try:
        return ProductSpec.model_validate(data), lines
    except ValidationError as err:
        raise SpecError(_validation_findings(err, data, lines)) from None


def load_spec(path: str | Path) -> ProductSpec:
    """Load a spec file (see `load_spec_with_lines` for line numbers)."""
    return load_spec_with_lines(path)[0]


def load_spec_with_lines(path: str | Path) -> tuple[ProductSpec, LineMap]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise SpecFileError([Finding(Severity.ERROR, "unreadable", str(path), f"cannot read file: {reason}",
                                     "check the path")]) from None
    return loads_spec(text, str(path))


def dump_spec(spec: ProductSpec) -> str:
    """YAML text of a spec: sections in their fixed order, defaults left out, stable across runs."""
    data = spec.model_dump(mode="python", exclude_defaults=True, exclude_none=True)
    ordered = {name: data[name] for name in SECTIONS if name in data}
    return yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110,
                     default_flow_style=False)


def save_spec(spec: ProductSpec, path: str | Path) -> None:
    Path(path).write_text(dump_spec(spec), encoding="utf-8")


def json_schema() -> str:
    """JSON Schema of a product spec, with every field's help text as its description."""
    return json.dumps(ProductSpec.model_json_schema(), indent=2, ensure_ascii=False)
