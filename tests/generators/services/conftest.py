"""Generated decision services: one generation per product and worker, shared by the tests that read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from generators.services import generate_decision_service
from product_specs import load_checked
from product_specs.catalog import catalog_paths

collect_ignore = ["golden"]  # the golden tree's own tests run inside it, never in Loan Studio's session

CATALOG = {p.stem: p for p in catalog_paths()}


@pytest.fixture(scope="session")
def catalog_services(tmp_path_factory) -> dict[str, Path]:
    """product id -> its generated decision service (every catalog product, generated once)."""
    out = tmp_path_factory.mktemp("services")
    return {name: generate_decision_service(load_checked(path), out) for name, path in CATALOG.items()}
