"""Settings for the whole test run: hypothesis profiles, and no file written into the checkout."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir

# hypothesis keeps example databases and constant caches in `.hypothesis/`: outside the checkout
set_hypothesis_home_dir(os.path.join(tempfile.gettempdir(), "loanstudio-hypothesis"))

# `ci` (the default, what `make test` runs) keeps every example count the tests ask for; `dev` cuts them
# for a quick local loop: HYPOTHESIS_PROFILE=dev pytest ...
hypothesis_settings.register_profile("ci", database=None, deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", database=None, deadline=None, max_examples=25)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

VALIDATION_FIXTURES = Path(__file__).parent / "validation" / "fixtures"


_ROOT = Path(__file__).resolve().parents[1]
_LEFT_ALONE = (".venv", ".git")  # the install and the repository; bytecode caches are skipped below


def _stray_files() -> set[str]:
    """Files in the checkout that git does not track (ignored ones included), bytecode caches aside."""
    import subprocess

    try:
        out = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"], cwd=_ROOT,
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return set()
    paths = {line[3:] for line in out.splitlines() if line[:2] in ("??", "!!")}
    return {p for p in paths if not p.startswith(_LEFT_ALONE) and "__pycache__" not in p}


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller, not an xdist worker
        session.config._stray_before = _stray_files()


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_stray_before", None)
    if before is None:
        return
    new = sorted(_stray_files() - before)
    if new:
        print("\nthe test run wrote into the checkout (tests must write into tmp_path):\n  " + "\n  ".join(new[:20]))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
