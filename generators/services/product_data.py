"""What a generated service knows of its product, as plain data: the `PRODUCT` description it serves at
`GET /v1/product`, the scorecard characteristics its ranked reasons use, the PII fields its log masks, and
the example tests its own tests run. Every text is the spec's, byte for byte; numbers are JSON numbers."""

from __future__ import annotations

from decimal import Decimal

from generators.decision import plain_applicant
from generators.services.plain import Labels, plain_rule
from product_specs import CheckedSpec
from product_specs.sections import FieldType

__all__ = ["product_description", "characteristics", "pii_fields", "examples", "valid_applicant", "labels",
           "number"]


def number(value: Decimal | None) -> int | float | None:
    """A spec number as JSON gives it: whole numbers as int."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _text(text) -> dict | None:
    return None if text is None else {"zh": text.zh, "en": text.en}


def labels(checked: CheckedSpec) -> Labels:
    spec = checked.spec
    out = {f.name: (f.label.zh, f.label.en) for f in spec.fields}
    out.update({d.name: (d.label.zh, d.label.en) for d in spec.derived})
    return out


def product_description(checked: CheckedSpec) -> dict:
    """The document `GET /v1/product` answers with."""
    spec, names = checked.spec, labels(checked)
    p = spec.product
    return {
        "id": p.id,
        "version": p.version,
        "spec_hash": checked.spec_hash,
        "name": _text(p.name),
        "description": _text(p.description),
        "kind": p.kind.value,
        "currency": p.currency,
        "apr_cap": number(p.apr_cap),
        "fields": [_field(f, c) for f, c in zip(spec.fields, checked.input_constraints(), strict=True)],
        "derived": [{"name": d.name, "label": _text(d.label), "expr": d.expr, "plain": plain_rule(expr, names)}
                    for d, (_, expr) in zip(spec.derived, checked.derived, strict=True)],
        "segments": [{"id": s.item.id, "name": _text(s.item.name), "when": s.item.when,
                      "plain": plain_rule(s.expr, names) if s.expr is not None else None} for s in checked.segments],
        "rules": _rules(checked, names),
        "bands": [{"id": b.id, "name": _text(b.name), "min_score": b.min_score} for b in spec.decision.bands],
        "matrix": {s: {b: o.value for b, o in row.items()} for s, row in spec.decision.matrix.items()},
        "scorecard": [{"field": f, "label": {"zh": zh, "en": en}, "max_points": best, "reason_code": code}
                      for f, zh, en, best, code in characteristics(checked)],
        "second_scorecard": _second(checked),
        "pd": _pd(checked),
        "limit": {"formula": spec.limits.amount, "plain": plain_rule(checked.limit_amount, names),
                  "min": number(spec.limits.min), "max": number(spec.limits.max), "step": number(spec.limits.step)},
        "pricing": {"base_apr": number(spec.pricing.base_apr), "floor": number(spec.pricing.floor),
                    "cap": number(spec.pricing.cap)},
        "reasons": [{"code": r.code, "action": r.action, "source": r.source, "name": {"zh": r.name_zh, "en": r.name_en},
                     "text": {"zh": r.text_zh, "en": r.text_en}} for r in checked.reasons()],
    }


def _second(checked: CheckedSpec) -> dict | None:
    """The second scorecard: its name, its characteristics' fields, its grades and the matrix combining its
    grade with the band of the first score (None without one)."""
    second = checked.spec.scorecard.second
    if second is None:
        return None
    return {"name": _text(second.name), "fields": [ch.field for ch in second.characteristics],
            "grades": [{"id": g.id, "name": _text(g.name), "min_score": g.min_score} for g in second.grades],
            "matrix": {b: dict(row) for b, row in second.matrix.items()}}


def _pd(checked: CheckedSpec) -> dict:
    """How a score becomes a PD: PD = 1 / (1 + exp(-(intercept + slope x score + second_slope x second
    score))), second_slope 0 without a second scorecard."""
    mapping = checked.pd_mapping()
    return {"intercept": mapping.intercept, "slope": mapping.slope, "second_slope": mapping.second_slope,
            "source": mapping.source}


def _field(f, c) -> dict:
    return {"name": f.name, "label": _text(f.label), "type": f.type.value, "required": f.required,
            "min": number(c.min), "max": number(c.max), "categories": list(c.categories) if c.categories else None,
            "unit": f.unit, "pii": f.pii, "description": _text(f.description)}


def _rules(checked: CheckedSpec, names: Labels) -> list[dict]:
    """Every rule that decides, in evaluation order: admission, channel rules, review triggers, price
    adjustments (derived features, segments and the limit formula have their own entries)."""
    out = []
    for ref in checked.rules():
        if ref.rule is None or ref.section in ("segments", "post_loan"):
            continue
        item = ref.rule.item
        entry = {"section": ref.section, "path": ref.path, "code": getattr(item, "code", None) or item.id,
                 "name": _text(item.name), "when": item.when, "plain": plain_rule(ref.expr, names)}
        if ref.section in ("admission", "channels"):
            entry.update(action=item.action.value, reason=_text(item.reason))
        elif ref.section == "decision":
            entry.update(action="refer", reason=_text(item.reason))
        else:
            entry.update(action="price", spread=number(item.spread), reason=None)
        out.append(entry)
    return out


def characteristics(checked: CheckedSpec) -> list[tuple[str, str, str, int, str | None]]:
    """(field, label zh, label en, the most points it can give, its reason code) per characteristic, of both
    scorecards when there are two (the first's first)."""
    names = labels(checked)
    out = []
    for _, _, ch in checked.spec.scorecard.all_characteristics():
        best = max(b.points for b in ch.bins)
        if checked.scope[ch.field].nullable:
            best = max(best, ch.missing_points)
        zh, en = names[ch.field]
        out.append((ch.field, zh, en, best, ch.reason_code))
    return out


def pii_fields(checked: CheckedSpec) -> list[str]:
    return [f.name for f in checked.spec.fields if f.pii]


def examples(checked: CheckedSpec) -> list[dict]:
    """The spec's example tests as JSON data: applicant and the parts of the outcome they expect."""
    out = []
    for t in checked.spec.tests:
        e = t.expect
        expect = {"decision": e.decision.value}
        for key in ("segment", "band", "score", "reasons"):
            if getattr(e, key) is not None:
                expect[key] = getattr(e, key)
        for key in ("limit", "apr"):
            if getattr(e, key) is not None:
                expect[key] = number(getattr(e, key))
        out.append({"name": t.name, "applicant": plain_applicant(t.applicant), "expect": expect})
    return out


def valid_applicant(checked: CheckedSpec) -> dict:
    """An applicant the service accepts: the first example's, or one made from the data dictionary."""
    if checked.spec.tests:
        return plain_applicant(checked.spec.tests[0].applicant)
    out = {}
    for c in checked.input_constraints():
        if not c.required:
            continue
        if c.numeric:
            value = c.min if c.min is not None else (min(Decimal(0), c.max) if c.max is not None else Decimal(0))
            out[c.field] = number(value) if c.type is FieldType.INTEGER else float(value)
            if c.type is FieldType.INTEGER and value != value.to_integral_value():
                out[c.field] = int(value.to_integral_value(rounding="ROUND_CEILING"))
        elif c.type is FieldType.CATEGORY:
            out[c.field] = c.categories[0]
        elif c.type is FieldType.BOOLEAN:
            out[c.field] = False
        else:
            out[c.field] = "x"
    return out
