"""One generated decision service, committed under golden/, compared byte for byte.

The spec is a copy of the mini fixture, so only a change of the generator or its templates moves the tree.
Regenerate it only on purpose, and review the diff:

    LOANSTUDIO_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/generators/services -k golden
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from helpers.trees import read_tree, tree_differences

from generators.services import generate_decision_service
from product_specs import load_checked

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_SPEC = GOLDEN / "mini_loan.yaml"
GOLDEN_TREE = GOLDEN / "decision-service"
MINI = Path(__file__).parents[2] / "product_specs" / "fixtures" / "mini.yaml"
UPDATE = os.environ.get("LOANSTUDIO_UPDATE_GOLDEN") == "1"


def test_golden_decision_service(tmp_path):
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        shutil.copyfile(MINI, GOLDEN_SPEC)
        made = generate_decision_service(load_checked(GOLDEN_SPEC), tmp_path / "update")
        shutil.rmtree(GOLDEN_TREE, ignore_errors=True)
        shutil.copytree(made, GOLDEN_TREE)
    assert GOLDEN_TREE.is_dir() and GOLDEN_SPEC.is_file(), "no golden tree: run LOANSTUDIO_UPDATE_GOLDEN=1 pytest -k golden"
    made = generate_decision_service(load_checked(GOLDEN_SPEC), tmp_path)
    differences = tree_differences(read_tree(made), read_tree(GOLDEN_TREE))
    assert differences == [], ("the generated decision service differs from tests/generators/services/golden/: "
                               "if the change is intended, regenerate with LOANSTUDIO_UPDATE_GOLDEN=1 and review "
                               "the diff\n" + "\n".join(differences))
