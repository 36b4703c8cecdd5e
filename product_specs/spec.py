"""The whole product spec and its canonical content hash."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from pydantic import Field

from .sections import (
    AdmissionRule,
    Channel,
    Decision,
    Derived,
    ExampleTest,
    Limits,
    Population,
    PostLoan,
    Pricing,
    Product,
    RiskAppetite,
    Scorecard,
    Segment,
    SpecModel,
    Workflow,
)
from .sections import Field as DataField

__all__ = ["ProductSpec", "spec_hash", "canonical_json", "SECTIONS"]


class ProductSpec(SpecModel):
    """A loan product, declared once. Every other artefact (services, SQL, reports) is derived from it."""

    product: Product
    """Identity and terms of the product."""
    fields: list[DataField] = Field(min_length=1)
    """Data dictionary: every input a decision may read."""
    derived: list[Derived] = []
    """Features computed from fields, in dependency order."""
    segments: list[Segment] = Field(min_length=1)
    """Customer tiers; first match wins, the last is a catch-all."""
    admission: list[AdmissionRule] = []
    """Admission (knock-out and refer) rules; every hit is reported."""
    scorecard: Scorecard
    """The points scorecard."""
    decision: Decision
    """Score bands, decision matrix and manual-review triggers."""
    pricing: Pricing
    """Risk-based pricing."""
    limits: Limits
    """Credit-limit policy."""
    channels: list[Channel] = Field(min_length=1)
    """Sales channels."""
    post_loan: PostLoan
    """Post-loan management and collections."""
    workflow: Workflow | None = None
    """Loan workflow stages."""
    risk_appetite: RiskAppetite = RiskAppetite()
    """Targets a simulation is judged against."""
    population: Population | None = None
    """The applicants sample data is drawn from: bad rate, fraud rings, relations between fields."""
    tests: list[ExampleTest] = []
    """Example applicants with expected outcomes."""

    def field_map(self) -> dict[str, DataField]:
        return {f.name: f for f in self.fields}


SECTIONS = tuple(ProductSpec.model_fields)


def _canonical(value):
    if isinstance(value, Decimal):
        normal = value.normalize()
        return format(normal, "f")
    if isinstance(value, float):
        return _canonical(Decimal(repr(value)))
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, (str, int, bool)):
        return value.value
    return value


def canonical_json(spec: ProductSpec) -> str:
    """Spec content as JSON with sorted keys and normalised numbers: formatting-independent."""
    data = _canonical(spec.model_dump(mode="python", exclude_none=True))
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def spec_hash(spec: ProductSpec) -> str:
    """SHA-256 of the canonical content; equal for specs that differ only in formatting or key order."""
    return hashlib.sha256(canonical_json(spec).encode("utf-8")).hexdigest()
