"""One pydantic model per spec section."""

from .admission import AdmissionRule, RuleAction, RuleCategory
from .channels import Channel, ChannelKind
from .common import Code, Ident, SpecModel, Text
from .decision import Band, Decision, Outcome, ReviewTrigger
from .examples import ExampleTest, Expectation
from .fields import (
    Dependency,
    Derived,
    Distribution,
    Family,
    Field,
    FieldType,
    Network,
    NetworkKind,
    Source,
    TextFormat,
)
from .limits import Limits
from .population import Population
from .post_loan import CollectionAction, DpdBucket, EarlyWarning, PostLoan
from .pricing import PriceAdjustment, Pricing
from .product import Product, ProductKind, Repayment
from .risk_appetite import RiskAppetite
from .scorecard import Bin, Calibration, Characteristic, Grade, Scaling, Scorecard, SecondScorecard
from .segments import Segment
from .workflow import Role, Stage, Workflow

__all__ = [
    "AdmissionRule", "RuleAction", "RuleCategory", "Channel", "ChannelKind", "Code", "Ident", "SpecModel", "Text",
    "Band", "Decision", "Outcome", "ReviewTrigger", "Derived", "Field", "FieldType", "Source", "Limits",
    "CollectionAction", "DpdBucket", "EarlyWarning", "PostLoan", "PriceAdjustment", "Pricing", "Product",
    "ProductKind", "Repayment", "RiskAppetite", "Bin", "Calibration", "Characteristic", "Grade", "Scaling", "Scorecard", "SecondScorecard", "ExampleTest",
    "Expectation", "Role", "Stage", "Workflow", "Segment", "Dependency", "Distribution", "Family", "TextFormat", "Network", "NetworkKind",
    "Population",
]
