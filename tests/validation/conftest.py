"""Shared fixtures of the validation tests: the sample product and one population of it, generated once."""

from pathlib import Path

import pytest

from product_specs import load_checked
from validation.sample_data import generate

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def sample_product_path() -> Path:
    return FIXTURES / "sample_product.yaml"


@pytest.fixture(scope="session")
def sample_product(sample_product_path):
    return load_checked(sample_product_path)


@pytest.fixture(scope="session")
def sample_population(sample_product):
    """20,000 applicants of the fixture product (seed 11)."""
    return generate(sample_product, 20_000, seed=11)
