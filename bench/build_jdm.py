"""Build the zen-engine (GoRules JDM) decision graph of a product from its spec: the benchmark's baseline.

    .venv/bin/python bench/build_jdm.py [SPEC] [--out bench/tax_sme_jdm.json]

The graph follows docs/decision.md step by step, in the shape a GoRules user would draw it:

    input -> derived (expression) -> admission (decision table, hit policy collect: every hit, in order)
          -> segment (decision table, first hit) -> score (expression: points per characteristic, total,
          band) -> matrix (decision table, first hit) -> triggers (decision table, collect)
          -> outcome (expression: decision, limit, APR, reason codes) -> output

Rule conditions are translated from the spec's typed syntax tree into the ZEN expression language. ZEN
raises on a comparison with null, while in the spec a condition that is null is simply not a hit, so every
condition is emitted in a "true" form (and its "false" form under `not`) that tests for null first. ZEN
computes with decimals, the Python module with doubles: the benchmark reports how often they agree.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path

from product_specs import CheckedSpec, load_checked
from product_specs.rules import Between, Binary, Call, CheckedExpr, InList, IsNull, Literal, Name, Node, Unary

__all__ = ["build_jdm", "ZenEmitter"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "product_specs" / "catalog" / "tax_sme_loan.yaml"
DEFAULT_OUT = Path(__file__).resolve().parent / "tax_sme_jdm.json"
_NEGATED = {"=": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def _num(value) -> str:
    text = format(Decimal(str(value)).normalize(), "f")
    return text


def _str(value: str) -> str:
    if '"' in value or "\\" in value:
        raise ValueError(f"cannot quote {value!r} for ZEN")
    return f'"{value}"'


class ZenEmitter:
    """One checked rule as ZEN expressions: `value()` (null-propagating), `true()` and `false()`."""

    def __init__(self, checked: CheckedExpr):
        self.checked = checked

    def _nullable(self, node: Node) -> bool:
        return self.checked.info(node).nullable

    def value(self, node: Node | None = None) -> str:
        node = self.checked.node if node is None else node
        if isinstance(node, Literal):
            if node.value is None:
                return "null"
            if isinstance(node.value, bool):
                return "true" if node.value else "false"
            if isinstance(node.value, Decimal):
                return _num(node.value)
            return _str(node.value)
        if isinstance(node, Name):
            return node.name
        if isinstance(node, Unary) and node.op == "-":
            inner = self.value(node.operand)
            return f"({inner} == null ? null : -{inner})" if self._nullable(node.operand) else f"(-{inner})"
        if isinstance(node, Binary) and node.op in ("+", "-", "*", "/"):
            left, right = self.value(node.left), self.value(node.right)
            guards = [f"{s} == null" for n, s in ((node.left, left), (node.right, right)) if self._nullable(n)]
            if node.op == "/" and not (isinstance(node.right, Literal) and node.right.value):
                guards.append(f"{right} == 0")
            body = f"({left} {node.op} {right})"
            return f"({' or '.join(guards)} ? null : {body})" if guards else body
        if isinstance(node, Call):
            return self._call(node)
        # a condition used as a value: three-valued
        return f"({self.true(node)} ? true : ({self.false(node)} ? false : null))"

    def _call(self, node: Call) -> str:
        args = [self.value(a) for a in node.args]
        nullable = any(self._nullable(a) for a in node.args)
        if node.name in ("min", "max"):
            if not nullable:
                return f"{node.name}([{', '.join(args)}])"
            present = f"filter([{', '.join(args)}], # != null)"
            return f"(len({present}) == 0 ? null : {node.name}({present}))"
        if node.name == "coalesce":
            return "(" + " ?? ".join(args) + ")"
        if node.name == "if":
            return f"({self.true(node.args[0])} ? {args[1]} : {args[2]})"
        call = f"{node.name}({', '.join(args[:1] + [_num(a.value) for a in node.args[1:]])})"
        return f"({args[0]} == null ? null : {call})" if self._nullable(node.args[0]) else call

    def _guard(self, *nodes: Node) -> list[str]:
        return [f"{self.value(n)} != null" for n in nodes if self._nullable(n)]

    def true(self, node: Node | None = None) -> str:
        """A ZEN expression that is true exactly when the spec's condition is true (not false, not null)."""
        node = self.checked.node if node is None else node
        return self._truth(node, True)

    def false(self, node: Node | None = None) -> str:
        node = self.checked.node if node is None else node
        return self._truth(node, False)

    def _truth(self, node: Node, want: bool) -> str:
        if isinstance(node, Literal):
            return "true" if node.value is want else "false"
        if isinstance(node, Name):
            return f"({node.name} == {'true' if want else 'false'})"
        if isinstance(node, Unary) and node.op == "not":
            return self._truth(node.operand, not want)
        if isinstance(node, Binary) and node.op in ("and", "or"):
            joiner = "and" if (node.op == "and") == want else "or"
            return f"({self._truth(node.left, want)} {joiner} {self._truth(node.right, want)})"
        if isinstance(node, Binary):
            op = "==" if node.op == "=" else node.op
            if not want:
                op = _NEGATED[node.op]
            test = f"{self.value(node.left)} {op} {self.value(node.right)}"
            return "(" + " and ".join([*self._guard(node.left, node.right), test]) + ")"
        if isinstance(node, InList):
            values = "[" + ", ".join(self.value(v) for v in node.values) + "]"
            inside = want != node.negated
            test = f"{self.value(node.operand)} {'in' if inside else 'not in'} {values}"
            return "(" + " and ".join([*self._guard(node.operand), test]) + ")"
        if isinstance(node, Between):
            x, low, high = (self.value(n) for n in (node.operand, node.low, node.high))
            inside = want != node.negated
            test = f"({x} >= {low} and {x} <= {high})" if inside else f"({x} < {low} or {x} > {high})"
            return "(" + " and ".join([*self._guard(node.operand, node.low, node.high), test]) + ")"
        if isinstance(node, IsNull):
            is_null = want != node.negated
            return f"({self.value(node.operand)} {'==' if is_null else '!='} null)"
        if isinstance(node, Call) and node.name == "if":
            c, a, b = node.args
            return f"({self.true(c)} ? {self._truth(a, want)} : {self._truth(b, want)})"
        raise ValueError(f"no ZEN translation for {type(node).__name__}")


def _node(node_id: str, kind: str, x: int, content: dict | None = None) -> dict:
    node = {"id": node_id, "type": kind, "name": node_id, "position": {"x": x, "y": 100}}
    node["content"] = content if content is not None else {}
    return node


def _expressions(pairs: list[tuple[str, str]], pass_through: bool = True) -> dict:
    return {"expressions": [{"id": f"e{i}", "key": k, "value": v} for i, (k, v) in enumerate(pairs, 1)],
            "passThrough": pass_through, "inputField": None, "outputPath": None, "executionMode": "single"}


def _table(hit_policy: str, inputs: list[tuple[str, str]], outputs: list[str], rules: list[list[str]],
           output_path: str | None = None) -> dict:
    """A decision table; an input with an empty field takes full expressions, else unary tests."""
    ins = [{"id": f"i{i}", "name": name or "condition", "field": name} for i, (name, _) in enumerate(inputs, 1)]
    outs = [{"id": f"o{i}", "name": name, "field": name} for i, name in enumerate(outputs, 1)]
    rows = []
    for r, cells in enumerate(rules, 1):
        row = {"_id": f"r{r}"}
        for column, cell in zip(ins + outs, cells, strict=True):
            row[column["id"]] = cell
        rows.append(row)
    return {"hitPolicy": hit_policy, "inputs": ins, "outputs": outs, "rules": rows, "passThrough": True,
            "inputField": None, "outputPath": output_path, "executionMode": "single"}


def _chain(pairs: list[tuple[str, str]], default: str) -> str:
    """cond1 ? v1 : (cond2 ? v2 : ... default)."""
    text = default
    for cond, value in reversed(pairs):
        text = f"({cond} ? {value} : {text})"
    return text


def _lookup(key: str, table: dict, ids: list[str], default) -> str:
    return _chain([(f"{key} == {_str(i)}", _num(table.get(i, default))) for i in ids], _num(default))


def build_jdm(checked: CheckedSpec) -> dict:
    """The JDM graph (a JSON-ready dict) of `checked`."""
    spec = checked.spec
    d, lim, p = spec.decision, spec.limits, spec.pricing
    channel = spec.product.channel_field
    nodes = [_node("input", "inputNode", 0)]

    derived = [(name, ZenEmitter(expr).value()) for name, expr in checked.derived]
    nodes.append(_node("derived", "expressionNode", 200, _expressions(derived)))

    admission = [[ZenEmitter(r.expr).true(), _str(r.item.code), _str(r.item.action.value)] for r in checked.admission]
    for channel_id, rules in checked.channel_rules.items():
        for r in rules:
            cond = f"({channel} == {_str(channel_id)} and {ZenEmitter(r.expr).true()})"
            admission.append([cond, _str(r.item.code), _str(r.item.action.value)])
    nodes.append(_node("admission", "decisionTableNode", 400,
                       _table("collect", [("", "")], ["code", "action"], admission, output_path="admission")))

    segments = [[ZenEmitter(s.expr).true() if s.expr is not None else "", _str(s.item.id)] for s in checked.segments]
    nodes.append(_node("segment", "decisionTableNode", 600, _table("first", [("", "")], ["segment"], segments)))

    card = spec.scorecard
    score = []
    for model, n, ch in card.all_characteristics():
        x = ch.field
        if ch.bins[0].values is not None:
            body = _chain([(f"{x} in [{', '.join(_str(v) for v in b.values)}]", str(b.points)) for b in ch.bins],
                          str(ch.missing_points))
        else:
            body = _chain([(f"{x} < {_num(b.upper)}", str(b.points)) for b in ch.bins[:-1]], str(ch.bins[-1].points))
        score.append((f"points_{model}_{n}", f"({x} == null ? {ch.missing_points} : {body})"))
    total = " + ".join([str(card.base_points)] + [f"$.points_1_{n}" for n in range(len(card.characteristics))])
    score.append(("score", total))
    band = _chain([(f"$.score >= {b.min_score}", _str(b.id)) for b in d.bands[:-1]], _str(d.bands[-1].id))
    second = card.second
    if second is None:
        score.append(("band", band))
    else:  # the second scorecard's grade and the band of the first give the final band (its matrix)
        score.append(("first_band", band))
        total = " + ".join([str(second.base_points)] + [f"$.points_2_{n}" for n in range(len(second.characteristics))])
        score.append(("second_score", total))
        grade = _chain([(f"$.second_score >= {g.min_score}", _str(g.id)) for g in second.grades[:-1]],
                       _str(second.grades[-1].id))
        score.append(("second_grade", grade))
        cells = [(f"$.first_band == {_str(b)} and $.second_grade == {_str(g)}", _str(final))
                 for b, row in second.matrix.items() for g, final in row.items()]
        score.append(("band", _chain(cells[:-1], cells[-1][1])))
    nodes.append(_node("score", "expressionNode", 800, _expressions(score)))

    matrix = [[_str(seg), _str(band_id), _str(outcome.value)] for seg, row in d.matrix.items()
              for band_id, outcome in row.items()]
    nodes.append(_node("matrix", "decisionTableNode", 1000,
                       _table("first", [("segment", ""), ("band", "")], ["matrix"], matrix)))

    triggers = [[ZenEmitter(t.expr).true(), _str(t.item.code)] for t in checked.triggers]
    nodes.append(_node("triggers", "decisionTableNode", 1200,
                       _table("collect", [("", "")], ["code"], triggers, output_path="triggers")))

    restricted = [f"({channel} == {_str(c.id)} and segment not in [{', '.join(_str(s) for s in c.segments)}])"
                  for c in spec.channels if c.segments]
    band_ids = [b.id for b in d.bands]
    segment_ids = [s.id for s in spec.segments]
    caps = [(f"{channel} == {_str(c.id)}", _num(min(c.limit_cap, lim.max) if c.limit_cap is not None else lim.max))
            for c in spec.channels]
    cap = _chain(caps, _num(lim.max))
    if lim.requested_field:
        cap = f"min([{cap}, {lim.requested_field}])"
    apr = " + ".join([_num(p.base_apr), _lookup("band", p.band_spreads, band_ids, 0),
                      _lookup("segment", p.segment_spreads, segment_ids, 0)]
                     + [f"({ZenEmitter(a.expr).true()} ? {_num(a.item.spread)} : 0)" for a in checked.adjustments])
    step = _num(lim.step)
    outcome = [
        ("ch01", " or ".join(restricted) if restricted else "false"),
        ("declined", 'some(admission, #.action == "decline") or $.ch01'),
        ("referred", 'some(admission, #.action == "refer") or len(triggers) > 0 or matrix == "refer"'),
        ("pre", '$.declined ? "decline" : ($.referred ? "refer" : matrix)'),
        ("amount", f"({ZenEmitter(checked.limit_amount).value()} ?? 0)"),
        ("raw", f"$.amount * {_lookup('band', lim.band_multipliers, band_ids, 1)}"
                f" * {_lookup('segment', lim.segment_multipliers, segment_ids, 1)}"),
        ("rounded", f"floor(min([$.raw, {cap}]) / {step}) * {step}"),
        ("below_min", f'$.pre != "decline" and $.rounded < {_num(lim.min)}'),
        ("decision", '$.below_min ? "decline" : $.pre'),
        ("reason_codes", "flatten([map(admission, #.code), "
                         f"$.ch01 ? [\"CH01\"] : [], map(triggers, #.code), "
                         f"matrix == \"decline\" ? [{_str(d.decline_code)}] : [], "
                         f"matrix == \"refer\" ? [{_str(d.refer_code)}] : [], "
                         f"$.below_min ? [{_str(lim.below_min_code)}] : []])"),
        ("credit_limit", '$.decision == "decline" ? null : $.rounded'),
        ("apr_value", f'$.decision == "decline" ? null : '
                      f"round(max([{_num(p.floor)}, min([{_num(p.cap)}, {apr}])]), 6)"),
    ]
    nodes.append(_node("outcome", "expressionNode", 1400, _expressions(outcome)))
    output = [("decision", "decision"), ("segment", "segment"), ("score", "score"), ("band", "band"),
              ("reasons", "reason_codes"), ("limit", "credit_limit"), ("apr", "apr_value")]
    nodes.append(_node("result", "expressionNode", 1600, _expressions(output, pass_through=False)))
    nodes.append(_node("output", "outputNode", 1800))
    order = [n["id"] for n in nodes]
    edges = [{"id": f"edge{i}", "sourceId": a, "targetId": b, "type": "edge"}
             for i, (a, b) in enumerate(zip(order, order[1:], strict=False), 1)]
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges,
            "metadata": {"product_id": spec.product.id, "product_version": spec.product.version,
                         "spec_hash": checked.spec_hash, "built_by": "bench/build_jdm.py"}}


def write_jdm(checked: CheckedSpec, out: Path = DEFAULT_OUT) -> Path:
    out.write_text(json.dumps(build_jdm(checked), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", default=str(DEFAULT_SPEC))
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    args = parser.parse_args()
    print(write_jdm(load_checked(args.spec), Path(args.out)))


if __name__ == "__main__":
    main()
