"""Static checks of a product spec, one checker per section (mirroring `product_specs/sections/`).
`check_spec()` runs them in order, collects every finding and, when there is no error, returns the
CheckedSpec that generators and simulations require.

| module | checks |
| --- | --- |
| `numbers.py` | every number in the spec finite and within +-10**15 (run first: nothing else runs on a bad number) |
| `fields.py` | the data dictionary and derived features; fills the typed scope the rules are checked against |
| `product.py` | the channel field and the APR cap |
| `segments.py`, `admission.py`, `scorecard.py`, `decision.py`, `pricing.py`, `limits.py`, `channels.py`, `post_loan.py`, `workflow.py`, `risk_appetite.py` | their section |
| `reasons.py` | reason codes unique across sections |
| `texts.py` | no invisible or control characters in any text |
| `examples.py` | the example tests' references |
| `population.py` | sample-data declarations: each field's `distribution` and the `population` section |
| `context.py` | the state the checkers share: findings, scope, rule typing |
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checked import CheckedSpec
from ..errors import Finding, Severity
from ..io import LineMap
from ..spec import ProductSpec, spec_hash
from . import (
    admission,
    channels,
    decision,
    examples,
    fields,
    limits,
    numbers,
    population,
    post_loan,
    pricing,
    product,
    reasons,
    risk_appetite,
    scorecard,
    segments,
    texts,
    workflow,
)
from .context import CheckContext
from .fields import PII_NAME, RESERVED

__all__ = ["CheckReport", "check_spec", "PII_NAME", "RESERVED"]


@dataclass
class CheckReport:
    """All findings of one check, and the CheckedSpec if there is no error."""

    findings: list[Finding]
    checked: CheckedSpec | None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors


_TOKEN = object()


def check_spec(spec: ProductSpec, lines: LineMap | None = None) -> CheckReport:
    """Run every static check; the report carries a CheckedSpec when no error was found."""
    ctx = CheckContext(spec, lines)
    numbers.check(ctx)
    if ctx.findings:
        return CheckReport(ctx.findings, None)
    fields.check(ctx)
    product.check(ctx)
    derived = fields.check_derived(ctx)
    segment_rules = segments.check(ctx)
    admission_rules = admission.check(ctx)
    scorecard.check(ctx)
    triggers = decision.check(ctx)
    adjustments = pricing.check(ctx)
    amount = limits.check(ctx)
    channel_rules = channels.check(ctx)
    early = post_loan.check(ctx)
    workflow.check(ctx)
    risk_appetite.check(ctx)
    reasons.check(ctx)
    examples.check(ctx)
    population.check(ctx)
    texts.check(ctx)
    rules = [e for _, e in derived] + [r.expr for r in segment_rules if r.expr is not None]
    rules += [r.expr for r in (*admission_rules, *triggers, *adjustments, *early)] + ([amount] if amount else [])
    rules += [r.expr for group in channel_rules.values() for r in group]
    used = {name for expr in rules if expr is not None for name in expr.names}
    used |= {ch.field for _, _, ch in spec.scorecard.all_characteristics()}
    fields.check_unused(ctx, used)
    checked = None
    if not ctx.has_errors:
        checked = CheckedSpec(
            spec=spec, spec_hash=spec_hash(spec), scope=dict(ctx.scope), derived=tuple(derived),
            segments=tuple(segment_rules), admission=tuple(admission_rules), channel_rules=channel_rules,
            triggers=tuple(triggers), adjustments=tuple(adjustments), limit_amount=amount,
            early_warning=tuple(early),
            warnings=tuple(f for f in ctx.findings if f.severity is Severity.WARNING), _token=_TOKEN)
    return CheckReport(ctx.findings, checked)
