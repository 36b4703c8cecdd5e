"""Settings for the whole test run: hypothesis profiles, and no file written into the checkout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# `ci` (the default, what `make test` runs) keeps every example count the tests ask for; `dev` cuts them
# for a quick local loop: HYPOTHESIS_PROFILE=dev pytest ...
hypothesis_settings.register_profile("ci", database=None, deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", database=None, deadline=None, max_examples=25)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

VALIDATION_FIXTURES = Path(__file__).parent / "validation" / "fixtures"


@pytest.fixture(scope="session")
def samples_dir():
    """Where the catalog's default samples are cached: the user's cache folder, never the checkout."""
    from designer.settings import settings

    return settings().samples_dir


@pytest.fixture(scope="session")
def sample_product_path() -> Path:
    return VALIDATION_FIXTURES / "sample_product.yaml"


@pytest.fixture(scope="session")
def sample_product(sample_product_path):
    from product_specs import load_checked

    return load_checked(sample_product_path)


@pytest.fixture(scope="session")
def sample_population(sample_product):
    """20,000 applicants of the fixture product (seed 11)."""
    from validation.data.sample_data import generate

    return generate(sample_product, 20_000, seed=11)
