"""YAML load and save (with line numbers for findings) and JSON Schema export."""

from __future__ import annotations

import json
import typing
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from . import limits
from .errors import Finding, Severity, SpecError, SpecFileError, printable
from .rules import did_you_mean
from .spec import SECTIONS, ProductSpec

__all__ = ["load_spec", "loads_spec", "read_yaml", "read_spec_text", "dump_spec", "save_spec", "json_schema", "LineMap",
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


def _integer(loader: _Loader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if len(text) > _MAX_INT_CHARS:  # Python refuses to read ints past 4,300 digits, with a traceback
        raise yaml.constructor.ConstructorError(None, None, f"a number of {len(text):,} digits is not usable",
                                                node.start_mark)
    return yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)


_MAX_INT_CHARS = 40
_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)
_Loader.add_constructor("tag:yaml.org,2002:int", _integer)


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: _Dumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_multi_representer(Enum, lambda d, v: d.represent_str(v.value))


class LineMap:
    """Maps a data path (('admission', 3, 'when')) to the line and column of its YAML node, and a position
    inside a one-line value (a rule) to the line and column of that character in the file."""

    def __init__(self, root: yaml.Node | None, text: str | None = None):
        self.positions: dict[tuple, tuple[int, int]] = {}
        self.scalars: dict[tuple, tuple[int, int, str]] = {}  # path -> (line, column, first character's column)
        self._text_lines = text.split("\n") if text is not None else None
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
        elif isinstance(node, yaml.ScalarNode) and node.start_mark.line == node.end_mark.line:
            self._scalar(node, path)

    def _scalar(self, node: yaml.ScalarNode, path: tuple) -> None:
        """Remember where a one-line value's text starts, when the file holds it verbatim (no escapes)."""
        if self._text_lines is None:
            return
        line, start = node.start_mark.line, node.start_mark.column + (1 if node.style in ("'", '"') else 0)
        if self._text_lines[line][start:start + len(node.value)] == node.value:
            self.scalars[path] = (line + 1, start + 1, node.value)

    def find(self, path: tuple) -> tuple[int | None, int | None]:
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return None, None

    def find_inside(self, path: tuple, offset: int) -> tuple[int | None, int | None]:
        """Line and column of character `offset` of the value at `path` (a rule's offending token); the
        value's own position when the file does not hold it verbatim on one line."""
        found = self.scalars.get(tuple(path))
        if found is not None and 0 <= offset <= len(found[2]):
            return found[0], found[1] + offset
        return self.find(path)


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


class _TooLarge(Exception):
    def __init__(self, node: yaml.Node, message: str, bound: str):
        self.node, self.message, self.bound = node, message, bound


def _measure(root: yaml.Node) -> None:
    """Refuse a node tree beyond the spec bounds before anything expands it: nesting depth, values with
    every alias expanded (an alias bomb is a few lines whose expansion is billions of values), aliases,
    list lengths and value lengths. Shared (aliased) nodes are measured once, so this costs one pass over
    the file's own nodes."""
    sizes: dict[int, tuple[int, int]] = {}  # id -> (expanded values, height)
    aliases = 0
    active: set[int] = set()

    def measure(node: yaml.Node) -> tuple[int, int]:
        nonlocal aliases
        key = id(node)
        if key in sizes:
            aliases += 1
            if aliases > limits.SPEC_MAX_ALIASES:
                raise _TooLarge(node, f"more than {limits.SPEC_MAX_ALIASES:,} YAML aliases", "spec_aliases")
            return sizes[key]
        if key in active:
            raise _TooLarge(node, "a YAML alias refers to the value that contains it", "spec_nodes")
        if isinstance(node, yaml.ScalarNode):
            if len(node.value) > limits.SPEC_MAX_SCALAR_CHARS:
                raise _TooLarge(node, f"a value of {len(node.value):,} characters", "spec_scalar_chars")
            sizes[key] = (1, 1)
            return sizes[key]
        active.add(key)
        children = [part for pair in node.value for part in pair] if isinstance(node, yaml.MappingNode) \
            else list(node.value)
        if isinstance(node, yaml.SequenceNode) and len(children) > limits.SPEC_MAX_LIST_ITEMS:
            raise _TooLarge(node, f"a list of {len(children):,} items", "spec_list_items")
        total, height = 1, 1
        for child in children:
            size, deep = measure(child)
            total += size
            height = max(height, deep + 1)
            if total > limits.SPEC_MAX_NODES:
                raise _TooLarge(node, f"more than {limits.SPEC_MAX_NODES:,} values with every alias expanded",
                                "spec_nodes")
            if height > limits.SPEC_MAX_DEPTH:
                raise _TooLarge(node, f"values nested more than {limits.SPEC_MAX_DEPTH} levels deep", "spec_depth")
        active.discard(key)
        sizes[key] = (total, height)
        return sizes[key]

    measure(root)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _refuse(source: str, code: str, message: str, hint: str = "", line=None, column=None) -> SpecFileError:
    return SpecFileError([Finding(Severity.ERROR, code, source, message, hint, line=line, column=column)])


def read_yaml(text: str, source: str = "<text>") -> tuple[dict, LineMap]:
    """Parse YAML text within the bounds of `limits`; syntax errors and bounds become a SpecFileError with
    line and column."""
    if len(text) > limits.SPEC_MAX_BYTES:
        raise _refuse(source, "too_large", f"a spec of {len(text):,} characters is too large",
                      limits.limit("spec_bytes").hint)
    try:  # one parse: the node tree gives the line numbers, the same tree gives the data
        loader = _Loader(text)
    except yaml.reader.ReaderError as err:  # the reader refuses control characters before anything else
        raise _unprintable(err, text, source) from None
    try:
        root = loader.get_single_node()
        if root is not None:
            _measure(root)
        data = loader.construct_document(root) if root is not None else None
    except _TooLarge as err:
        mark = err.node.start_mark
        raise _refuse(source, "too_large", f"the spec holds {err.message}", limits.limit(err.bound).hint,
                      mark.line + 1, mark.column + 1) from None
    except yaml.reader.ReaderError as err:
        raise _unprintable(err, text, source) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        message = f"YAML syntax error: {err.problem or err.context}"
        raise _refuse(source, "yaml_syntax", message, "check indentation and quoting on that line", line,
                      column) from None
    except yaml.YAMLError as err:
        raise _refuse(source, "yaml_syntax", f"YAML error: {err}") from None
    except RecursionError:
        raise _refuse(source, "too_large", f"the spec holds values nested more than {limits.SPEC_MAX_DEPTH} "
                      "levels deep", limits.limit("spec_depth").hint) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise _refuse(source, "not_a_spec", "the file does not hold a product spec (a YAML mapping)",
                      "a spec starts with 'product:'")
    return data, LineMap(root, text)


def _unprintable(err: yaml.reader.ReaderError, text: str, source: str) -> SpecFileError:
    code = err.character if isinstance(err.character, int) else 0
    line, column = _position(text, err.position)
    return _refuse(source, "unreadable", f"the file holds the control character {printable(chr(code))} "
                   f"(U+{code:04X})", "remove it: a spec is printable text, tabs and line breaks allowed", line,
                   column)


_PATTERNS = {
    r"^[a-z][a-z0-9_]*$": ("is not a valid name", "use lower case letters, digits and _, starting with a letter"),
    r"^[A-Z][A-Z0-9_]*$": ("is not a valid code", "use upper case letters, digits and _, starting with a letter"),
    r"^\d+\.\d+\.\d+$": ("is not a version", "write three numbers, e.g. 1.2.0"),
    r"^[A-Z]{3}$": ("is not a currency code", "write three upper case letters, e.g. CNY"),
}
_RULE_KEYS = ("when", "expr", "amount")


def _model_at(loc: tuple):
    """The spec model class at a location (`('admission', 3)` -> AdmissionRule), or None."""
    model = ProductSpec
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            continue  # a mapping key (a band id in a matrix): the model stays that of the values
        model = _inner_model(field.annotation)
    return model


def _inner_model(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _shown(value) -> str:
    """A value as a product manager wrote it, shortened, with invisible characters escaped."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return str(value).lower()
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    return repr(text) if isinstance(value, str) else text


def _plain(problem: dict) -> tuple[str, str, str]:
    """(code, message, hint) of a schema problem, in a product manager's words, never pydantic's."""
    kind, ctx, value = problem["type"], problem.get("ctx") or {}, problem.get("input")
    loc = problem["loc"]
    got = f", got {_shown(value)}"
    if kind == "missing":
        return "schema", "required key missing", "add it"
    if kind == "extra_forbidden":
        known = _model_at(loc[:-1])
        close = did_you_mean(str(loc[-1]), known.model_fields) if known is not None else ""
        return "schema", f"unknown key {str(loc[-1])!r}", close or "remove it or check its spelling"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "schema", "expected a mapping (key: value lines)" + got, ""
    if kind in ("list_type", "tuple_type", "set_type"):
        return "schema", "expected a list (lines starting with '- ')" + got, ""
    if kind == "string_type":
        return "schema", "expected text" + got, ""
    if kind == "string_too_short":
        return "schema", "must not be empty", ""
    if kind == "string_too_long":
        if loc and loc[-1] in _RULE_KEYS:
            return "rule", f"rule longer than {ctx['max_length']:,} characters", "split it into derived features"
        return "schema", f"longer than {ctx['max_length']:,} characters", "shorten it"
    if kind == "string_pattern_mismatch":
        what, hint = _PATTERNS.get(ctx.get("pattern"), ("has the wrong form", ""))
        return "schema", f"{_shown(value)} {what}", hint
    if kind.startswith("int_"):
        return "schema", "expected a whole number" + got, ""
    if kind.startswith(("decimal_", "float_", "finite_")):
        if kind == "decimal_max_places":
            return "schema", f"{_shown(value)} has more than {ctx['decimal_places']} decimal places", ""
        if kind in ("decimal_max_digits", "decimal_whole_digits"):
            return "schema", f"{_shown(value)} has too many digits", ""
        return "schema", "expected a number" + got, ""
    if kind.startswith("bool"):
        return "schema", "expected true or false" + got, ""
    if kind in ("enum", "literal_error"):
        return "schema", f"{_shown(value)} is not one of {ctx.get('expected', '')}", ""
    bounds = {"greater_than": "above", "greater_than_equal": "at least", "less_than": "below",
              "less_than_equal": "at most"}
    if kind in bounds:
        bound = next(iter(ctx.values()))
        return "schema", f"{_shown(value)} must be {bounds[kind]} {_shown(bound)}", ""
    if kind == "too_short":
        return "schema", f"needs at least {ctx.get('min_length')} item(s)", ""
    if kind == "too_long":
        return "schema", f"has more than {ctx.get('max_length'):,} items", ""
    message = problem["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return "schema", message.replace(" after validation", ""), ""


def _validation_findings(err: ValidationError, data: dict, lines: LineMap) -> list[Finding]:
    findings = []
    for problem in err.errors():
        loc = tuple(problem["loc"])
        path = item_path(data, loc)
        line, column = lines.find(loc)
        section = str(loc[0]) if loc else ""
        item = path.split("[", 1)[1].split("]", 1)[0] if "[" in path else ""
        code, message, hint = _plain(problem)
        findings.append(Finding(Severity.ERROR, code, path, message, hint, section, item,
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
    """Load a spec file with the line and column of every value. A file that cannot be read, is larger
    than `limits.SPEC_MAX_BYTES` or is not UTF-8 raises SpecFileError."""
    return loads_spec(read_spec_text(path), str(path))


def read_spec_text(path: str | Path) -> str:
    """The text of a spec file, read within the bounds of `limits`; raises SpecFileError."""
    try:
        data = limits.read_user_bytes(path, "spec_bytes", "file")
    except limits.InputRefused as err:
        code = "too_large" if err.too_large else "unreadable"
        raise _refuse(printable(str(path)), code, err.message, err.hint) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = len(data[data.rfind(b"\n", 0, err.start) + 1:err.start].decode("utf-8", "replace")) + 1
        raise _refuse(str(path), "encoding", f"the file is not UTF-8 text: byte 0x{data[err.start]:02x} cannot "
                      "be read", "save the file as UTF-8; most editors offer it under Save As", line,
                      column) from None


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
