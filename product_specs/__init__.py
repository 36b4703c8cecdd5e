"""Loan product specs: the model, the rule language, static checks, YAML io and the catalog.

Stages: YAML text --load_spec--> ProductSpec --check_spec--> CheckedSpec (see README.md).
"""

from .checked import CheckedSpec
from .checks import CheckReport, check_spec
from .errors import Finding, RuleError, Severity, SpecError, SpecFileError
from .io import dump_spec, json_schema, load_spec, load_spec_with_lines, loads_spec, save_spec
from .spec import ProductSpec, spec_hash

__all__ = [
    "CheckedSpec", "CheckReport", "check_spec", "Finding", "RuleError", "Severity", "SpecError", "SpecFileError",
    "dump_spec", "json_schema", "load_spec", "load_spec_with_lines", "loads_spec", "save_spec", "ProductSpec",
    "spec_hash", "load_checked",
]


def load_checked(path) -> CheckedSpec:
    """Load and check a spec file; raise SpecError with every finding if it has errors."""
    spec, lines = load_spec_with_lines(path)
    report = check_spec(spec, lines)
    if report.checked is None:
        raise SpecError(report.errors)
    return report.checked
