"""The `fields` section (data dictionary) and the `derived` section (computed features): names, ranges,
categories, personal data, and the typed scope every later rule is checked against."""

from __future__ import annotations

import re

from ..errors import RuleError
from ..rules import BOOLEAN, NUMBER, CheckedExpr, Name, Symbol, parse, walk
from ..sections import FieldType
from .context import CheckContext, symbol_of

__all__ = ["check", "check_derived", "check_unused", "PII_NAME", "RESERVED"]

PII_NAME = re.compile(r"(id_number|id_card|identity|phone|mobile|applicant_name|full_name|^name$|address|email|"
                      r"bank_card|card_no|passport)")
_NUMERIC = (FieldType.INTEGER, FieldType.NUMBER)
# names of decision outputs: an input of the same name would be ambiguous in the simulation table
RESERVED = {"decision", "segment", "score", "band", "reasons", "limit", "apr", "trace", "product_id",
            "product_version", "spec_hash", "row_id", "second_score", "second_grade"}


def check(ctx: CheckContext) -> None:
    """Check the data dictionary and put every field a rule may use into the scope."""
    ctx.unique(ctx.spec.fields, "name", "fields", "field name")
    fields = ctx.spec.field_map()
    for i, f in enumerate(ctx.spec.fields):
        _field(ctx, f, f"fields[{f.name}]", ("fields", i))
        if f.network is not None:
            _network(ctx, f, fields, f"fields[{f.name}].network", ("fields", i, "network"))
        if f.type is FieldType.STRING:
            ctx.text_fields.add(f.name)
        else:
            ctx.scope[f.name] = symbol_of(f)


def _network(ctx: CheckContext, f, fields, path: str, loc: tuple) -> None:
    """A relationship-network feature: an integer computed from string keys (one for `shared`)."""
    from ..rules import did_you_mean
    from ..sections import NetworkKind

    net = f.network
    if f.type is not FieldType.INTEGER:
        ctx.error("network", loc, path, f"a network feature is a count: {f.name!r} must be an integer field",
                  "set type: integer")
    if net.kind is NetworkKind.SHARED and len(net.keys) != 1:
        ctx.error("network", loc + ("keys",), path + ".keys", "a `shared` count reads one key",
                  "one feature per key; `group_size` links several keys")
    for j, key in enumerate(net.keys):
        other = fields.get(key)
        if other is None or other.name == f.name:
            ctx.error("network", loc + ("keys", j), f"{path}.keys[{j}]", f"unknown field {key!r}",
                      did_you_mean(key, [n for n, g in fields.items() if g.type is FieldType.STRING]))
        elif other.type is not FieldType.STRING:
            ctx.error("network", loc + ("keys", j), f"{path}.keys[{j}]",
                      f"{key!r} is a {other.type.value} field: keys are string fields (device, phone, address)")
        if key in net.keys[:j]:
            ctx.error("network", loc + ("keys", j), f"{path}.keys[{j}]", f"{key!r} is listed twice")
    if (net.within_days is None) != (net.day_field is None):
        ctx.error("network", loc + ("within_days",), path + ".within_days",
                  "within_days and day_field go together", "give both, or neither")
    elif net.within_days is not None:
        if net.kind is not NetworkKind.SHARED:
            ctx.error("network", loc + ("within_days",), path + ".within_days",
                      "only a `shared` count looks back within_days")
        day = fields.get(net.day_field)
        if day is None or day.type not in _NUMERIC:
            ctx.error("network", loc + ("day_field",), path + ".day_field",
                      f"{net.day_field!r} is not a numeric field of the data dictionary",
                      did_you_mean(net.day_field, [n for n, g in fields.items() if g.type in _NUMERIC]))
    if f.distribution is not None:
        ctx.warn("network", loc, path, "sample data computes a network feature from its keys: its distribution "
                 "is not used", "remove the distribution; set in_rings on the key fields instead")


def _field(ctx: CheckContext, f, path: str, loc: tuple) -> None:
    if f.name in RESERVED or f.name.startswith("ls_"):
        ctx.error("reserved", loc + ("name",), path + ".name", f"{f.name!r} is the name of a decision output",
                  "rename the field")
    if f.type in _NUMERIC:
        if f.min is None or f.max is None:
            ctx.warn("range", loc, path, "numeric field without a min and max",
                     "give the range the data can take; inputs outside it are refused")
        elif f.min > f.max:
            ctx.error("range", loc + ("min",), path + ".min", f"min {f.min} is above max {f.max}")
        if f.categories:
            ctx.error("categories", loc + ("categories",), path + ".categories",
                      "only category fields have categories")
    elif f.type is FieldType.CATEGORY:
        if not f.categories:
            ctx.error("categories", loc, path, "category field without categories", "list them")
        elif len(set(f.categories)) != len(f.categories):
            ctx.error("categories", loc + ("categories",), path + ".categories", "duplicate category")
    elif f.min is not None or f.max is not None:
        ctx.error("range", loc, path, f"a {f.type.value} field has no min or max")
    # raw personal data is text; counts and flags derived from it (phone_shared_count) are not
    if PII_NAME.search(f.name) and not f.pii and f.type in (FieldType.STRING, FieldType.CATEGORY):
        ctx.warn("pii", loc + ("pii",), path + ".pii", f"{f.name!r} looks like personal data",
                 "mark it pii: true so it is masked in logs and reports")
    if f.pii and f.type is not FieldType.STRING:
        ctx.warn("pii", loc + ("pii",), path + ".pii", "personal data used as a rule input",
                 "decide on derived flags (e.g. phone_shared_count), not on the raw value")


def check_derived(ctx: CheckContext) -> list[tuple[str, CheckedExpr]]:
    """Type every derived feature in spec order; each one enters the scope of the rules after it."""
    out = []
    names = [_names(d.expr) for d in ctx.spec.derived]
    for i, d in enumerate(ctx.spec.derived):
        path, loc = f"derived[{d.name}]", ("derived", i, "expr")
        if d.name in ctx.scope or d.name in ctx.text_fields:
            ctx.error("duplicate", ("derived", i, "name"), path, f"{d.name!r} is already a field or feature")
            continue
        if _out_of_order(ctx, i, names):
            continue
        checked = ctx.rule(d.expr, loc, path + ".expr", None)
        if checked is None:
            continue
        if checked.type not in (NUMBER, BOOLEAN):
            ctx.error("type", loc, path + ".expr", f"a derived feature must be a number or a condition, "
                      f"not a {checked.type}")
            continue
        ctx.scope[d.name] = Symbol(checked.type, checked.nullable, None, derived=True)
        out.append((d.name, checked))
    return out


def _names(text: str) -> list[str]:
    """Names a formula uses, in order (none when it does not parse: the rule check reports that)."""
    try:
        return [n.name for n in walk(parse(text)) if isinstance(n, Name)]
    except RuleError:
        return []


def _out_of_order(ctx: CheckContext, i: int, names: list[list[str]]) -> bool:
    """An error when derived feature `i` uses itself, a later feature, or a circle of features."""
    derived = ctx.spec.derived
    index = {d.name: j for j, d in enumerate(derived)}
    me = derived[i].name
    path, loc = f"derived[{me}].expr", ("derived", i, "expr")
    for name in names[i]:
        j = index.get(name)
        if j is None or j < i:
            continue
        if j == i:
            ctx.error("derived_order", loc, path, f"derived feature {me!r} uses itself",
                      "a feature is computed from fields and earlier features only")
            return True
        circle = _circle(name, me, index, names)
        if circle:
            ctx.error("derived_order", loc, path, "derived features use each other in a circle: "
                      + " -> ".join([me, *circle]), "break the circle: one of them must not need the other")
        else:
            ctx.error("derived_order", loc, path, f"{me!r} uses {name!r}, which is defined after it",
                      f"move {name!r} above {me!r}: derived features are computed in spec order")
        return True
    return False


def _circle(start: str, goal: str, index: dict[str, int], names: list[list[str]]) -> list[str]:
    """The chain of features from `start` back to `goal` ([start, ..., goal]), or [] when there is none."""
    stack, seen = [(start, [start])], {start}
    while stack:
        name, chain = stack.pop()
        for used in names[index[name]]:
            if used == goal:
                return [*chain, goal]
            if used in index and used not in seen:
                seen.add(used)
                stack.append((used, [*chain, used]))
    return []


def check_unused(ctx: CheckContext, used: set[str]) -> None:
    """A warning for every derived feature that no rule, formula, characteristic or later feature reads."""
    for i, d in enumerate(ctx.spec.derived):
        if d.name in ctx.scope and d.name not in used:
            ctx.warn("unused", ("derived", i, "name"), f"derived[{d.name}]",
                     f"derived feature {d.name!r} is not used by any rule, formula or scorecard",
                     "use it, or remove it so every reader of the spec knows what matters")
