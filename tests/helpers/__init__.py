"""Helpers the tests share: spec edits, applicant corpora, backend agreement, example counts."""

from __future__ import annotations

import os

__all__ = ["examples"]


def examples(ci: int) -> int:
    """How many hypothesis examples a property test runs: all of them in CI (the default profile), at most
    25 under HYPOTHESIS_PROFILE=dev, for a quick local loop."""
    return ci if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else min(ci, 25)
