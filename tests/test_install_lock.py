"""requirements.lock (what `make` installs) agrees with pyproject.toml (what the project asks for).

Every requirement of pyproject.toml, extras included, is pinned with `==`, and the lock holds that package
at that version. When this fails after a change to pyproject.toml, run `make lock` and commit the lock.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def locked(text: str) -> dict[str, set[str]]:
    """Package -> the versions the lock pins (one, or one per platform marker)."""
    out: dict[str, set[str]] = {}
    for name, _, version in _PIN.findall(text):
        out.setdefault(canonicalize_name(name), set()).add(version)
    return out


def requirements(pyproject: dict) -> list[tuple[str, Requirement]]:
    project = pyproject["project"]
    out = [("dependencies", Requirement(r)) for r in project.get("dependencies", [])]
    for extra, reqs in project.get("optional-dependencies", {}).items():
        out += [(f"optional-dependencies.{extra}", Requirement(r)) for r in reqs]
    return out


def disagreements(pyproject: dict, lock_text: str) -> list[str]:
    lock = locked(lock_text)
    problems = []
    for where, req in requirements(pyproject):
        pins = [s.version for s in req.specifier if s.operator == "=="]
        if len(pins) != 1:
            problems.append(f"{where}: {req} is not pinned with == (every dependency is pinned exactly)")
            continue
        versions = lock.get(canonicalize_name(req.name))
        if versions is None:
            problems.append(f"{where}: {req.name}=={pins[0]} is not in requirements.lock")
        elif pins[0] not in versions:
            problems.append(f"{where}: {req.name}=={pins[0]}, but requirements.lock has {', '.join(sorted(versions))}")
    return problems


def test_the_lock_holds_every_pin_of_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    problems = disagreements(pyproject, (ROOT / "requirements.lock").read_text(encoding="utf-8"))
    assert not problems, "pyproject.toml and requirements.lock disagree; run `make lock` and commit " \
                         "requirements.lock:\n  " + "\n  ".join(problems)


def test_the_check_names_a_missing_pin_a_changed_pin_and_a_loose_one():
    pyproject = {"project": {"dependencies": ["duckdb==2.0.1", "sqlglot==30.30.0"],
                             "optional-dependencies": {"spark": ["pyspark[connect]==4.3.0", "loose>=1"]}}}
    lock = "duckdb==2.0.1 \\\n    --hash=sha256:00\npyspark==4.2.0 ; python_version >= '3.11'\n"
    assert disagreements(pyproject, lock) == [
        "dependencies: sqlglot==30.30.0 is not in requirements.lock",
        "optional-dependencies.spark: pyspark==4.3.0, but requirements.lock has 4.2.0",
        "optional-dependencies.spark: loose>=1 is not pinned with == (every dependency is pinned exactly)",
    ]
