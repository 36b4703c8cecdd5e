"""Hostile input at the door (issue 13): every file, applicant and file name is refused cleanly within its
bound (product_specs/limits.py): a finding with a place, the limit and how to raise it, exit 2 for what
cannot be read, no traceback, and a bounded amount of memory.

The large files are made in a temporary folder; the small ones live in hostile_files/. The files are
checked in one subprocess whose address space is capped, so a bound that fails cannot take the test
machine down: it fails the test instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.spec_edits import MINI, edited, mini_data, mini_text, to_yaml

from designer.use_cases import ApplicantError, check_file, parse_applicant
from product_specs import limits

HERE = Path(__file__).parent / "hostile_files"
ROOT = Path(__file__).resolve().parents[2]
MEMORY_CAP = 3 * 1024 ** 3  # address space of the checking subprocess (imports alone map ~1 GB of it)
RSS_BOUND_MB = 600  # what all the files together may cost in resident memory, imports included


def _rule(i: int) -> str:
    return (f"  - {{code: R{i}, name: {{zh: 规则, en: Rule}}, when: age > {i % 90}, action: decline,"
            f" reason: {{zh: 原因, en: Reason}}}}\n")


def _large_files(folder: Path) -> dict[str, Path]:
    """Large hostile files, made here rather than kept in the repository."""
    mini = mini_text()
    made = {
        "ten_mb_value.yaml": mini.replace("en: Mini business loan", "en: " + "x" * 10_000_000),
        "value_past_the_value_bound.yaml": mini.replace("en: Mini business loan", "en: " + "x" * 300_000),
        "hundred_thousand_rules.yaml": mini.split("admission:")[0] + "admission:\n"
        + "".join(_rule(i) for i in range(100_000)),
        "six_thousand_rules.yaml": "admission:\n" + "".join(f"  - R{i}\n" for i in range(6_000)),
        "hundred_thousand_brackets.yaml": "product: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "forty_levels.yaml": "".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40 + "v\n",
        "two_thousand_aliases.yaml": "a: &a x\nb: [" + ", ".join(["*a"] * 2_000) + "]\n",
        "number_of_5000_digits.yaml": mini.replace("points: 60", "points: " + "9" * 5_000),
        "float_of_400_digits.yaml": mini.replace("base_apr: 0.12", "base_apr: 1e400"),
        "three_mb_of_comments.yaml": mini + ("# " + "x" * 98 + "\n") * 30_000,
    }
    paths = {}
    for name, text in made.items():
        paths[name] = folder / name
        paths[name].write_text(text, encoding="utf-8")
    paths["random_bytes.yaml"] = folder / "random_bytes.yaml"
    paths["random_bytes.yaml"].write_bytes(bytes((i * 7919 + 13) % 256 for i in range(200_000)))
    return paths


_RUNNER = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
from designer.use_cases import check_file


def peak_mb():
    # VmHWM of this process's own memory: ru_maxrss would carry the forking pytest worker's peak over exec
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


for path in sys.argv[1:]:
    start = time.perf_counter()
    try:
        outcome = check_file(__import__("pathlib").Path(path))
        row = {{"unreadable": outcome.unreadable, "errors": [f.to_dict() for f in outcome.errors]}}
    except BaseException as err:  # noqa: BLE001 - reported, and the test fails on it
        row = {{"exception": f"{{type(err).__name__}}: {{err}}"[:300]}}
    row.update(path=path, seconds=round(time.perf_counter() - start, 2),
               rss_mb=peak_mb())
    print(json.dumps(row), flush=True)
"""


@pytest.fixture(scope="module")
def hostile_results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    paths = {p.name: p for p in HERE.glob("*.yaml")} | _large_files(folder)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    done = subprocess.run([sys.executable, "-c", _RUNNER.format(cap=MEMORY_CAP), *map(str, paths.values())],
                          capture_output=True, text=True, timeout=600, env=env, cwd=folder)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    return {Path(r["path"]).name: r for r in rows}


REFUSED_AS = {  # file -> (finding code, words of the message), every one exit 2 (unreadable)
    "alias_bomb.yaml": ("too_large", "values with every alias expanded"),
    "alias_bomb_in_a_spec.yaml": ("too_large", "values with every alias expanded"),
    "recursive_alias.yaml": ("too_large", "refers to the value that contains it"),
    "merge_key_bomb.yaml": ("too_large", "values with every alias expanded"),
    "python_object.yaml": ("yaml_syntax", "could not determine a constructor"),
    "empty.yaml": ("not_a_spec", "does not hold a product spec"),
    "terminal_escapes.yaml": ("unreadable", "control character \\x1b"),
    "ten_mb_value.yaml": ("too_large", "too large"),
    "value_past_the_value_bound.yaml": ("too_large", "a value of 300,0"),
    "hundred_thousand_rules.yaml": ("too_large", "too large"),
    "six_thousand_rules.yaml": ("too_large", "a list of 6,000 items"),
    "hundred_thousand_brackets.yaml": ("too_large", "nested more than 32 levels"),
    "forty_levels.yaml": ("too_large", "nested more than 32 levels"),
    "two_thousand_aliases.yaml": ("too_large", "more than 1,000 YAML aliases"),
    "number_of_5000_digits.yaml": ("yaml_syntax", "a number of 5,000 digits is not usable"),
    "three_mb_of_comments.yaml": ("too_large", "too large"),
    "random_bytes.yaml": ("encoding", "not UTF-8 text"),
}


def test_every_hostile_file_has_an_expected_refusal():
    assert {p.name for p in HERE.glob("*.yaml")} <= set(REFUSED_AS)


@pytest.mark.parametrize("name", sorted(REFUSED_AS))
def test_hostile_file_is_refused_cleanly(hostile_results, name):
    row = hostile_results[name]
    assert "exception" not in row, row
    code, words = REFUSED_AS[name]
    assert row["unreadable"], row
    (error,) = row["errors"]
    assert error["code"] == code and words in error["message"], error
    if code == "too_large":
        assert "the limit is" in error["hint"], error
    assert all(c.isprintable() for c in error["message"] + error["hint"]), error


def test_a_huge_float_loads_but_is_refused_by_check(hostile_results):
    row = hostile_results["float_of_400_digits.yaml"]
    assert "exception" not in row and not row["unreadable"], row
    assert any("pricing.base_apr" == e["path"] for e in row["errors"]), row


def test_hostile_files_cost_bounded_memory(hostile_results):
    worst = max(r["rss_mb"] for r in hostile_results.values())
    report = {name: (r["rss_mb"], r["seconds"]) for name, r in hostile_results.items()}
    print(report)  # shown with -s: what each file cost (resident MB so far, seconds)
    assert worst < RSS_BOUND_MB, report


# ---- NaN and infinities in every numeric place --------------------------------------------------------

def _numeric_places(data, loc=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _numeric_places(value, loc + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _numeric_places(value, loc + (i,))
    elif not isinstance(data, (bool, str)) and data is not None:
        yield loc


def _path(loc: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(loc))


NUMERIC = list(_numeric_places(mini_data()))


def test_the_mini_spec_has_numbers_everywhere():
    sections = {loc[0] for loc in NUMERIC}
    assert len(NUMERIC) > 60 and {"product", "fields", "scorecard", "pricing", "limits", "tests"} <= sections


@pytest.mark.parametrize("value, every", [(".nan", 1), (".inf", 1), ("-.inf", 1), (".NaN", 7), ("-.Inf", 7)])
def test_nan_and_infinity_in_every_numeric_place(value, every, tmp_path):
    for loc in NUMERIC[::every]:  # the other spellings in a sample of places: the loader reads them alike
        text = to_yaml(edited({_path(loc): "__NUMBER__"})).replace("__NUMBER__", value).replace("'", "")
        path = tmp_path / "spec.yaml"
        path.write_text(text, encoding="utf-8")
        outcome = check_file(path)
        assert outcome.unreadable and len(outcome.errors) == 1, (loc, outcome.findings)
        (error,) = outcome.errors
        assert "not a finite decimal number" in error.message and error.line is not None, (loc, error)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_nan_and_infinity_in_every_applicant_field(value):
    for field in ("age", "annual_tax_sales", "total_debt", "requested_amount"):
        with pytest.raises(ApplicantError) as info:
            parse_applicant(f'{{"age": 30, "{field}": {value}}}')
        assert "\n" not in str(info.value) and not info.value.unreadable


# ---- control and bidi characters in every text ------------------------------------------------------

def _text_places(data, loc=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _text_places(value, loc + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _text_places(value, loc + (i,))
    elif isinstance(data, str) and loc[-1] not in ("when", "expr", "amount"):  # rules: test_hostile.py
        yield loc, data


TEXTS = list(_text_places(mini_data()))


def test_the_mini_spec_has_texts_everywhere():
    assert len(TEXTS) > 100


@pytest.mark.parametrize("char, every", [("\u202e", 1), ("\x1b", 1), ("\u200b", 5), ("\u2066", 5), ("\x07", 5)],
                         ids=["rlo", "esc", "zwsp", "lri", "bel"])
def test_invisible_and_control_characters_in_every_text(char, every, tmp_path):
    for loc, text in TEXTS[::every]:  # a bidi override and an escape in every text, the others in a sample
        data = edited()
        node = data
        for part in loc[:-1]:
            node = node[part]
        node[loc[-1]] = text[:1] + char + text[1:]
        path = tmp_path / "spec.yaml"
        path.write_text(to_yaml(data), encoding="utf-8")
        outcome = check_file(path)
        assert outcome.errors, (loc, "accepted")
        for finding in outcome.findings:
            shown = str(finding)
            assert char not in shown and all(c.isprintable() for c in shown), (loc, shown)
        assert any(f.line is not None for f in outcome.errors), loc


# ---- file names: traversal, NUL, devices, folders --------------------------------------------------------

def _cli(*args: str):
    from typer.testing import CliRunner

    from designer.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output, result.output
    return result


TRAVERSAL = ["../" * 30 + "etc/passwd", "../" * 30 + "no/such/file", "/dev/zero", "/", "a\x00b", "x" * 5000]


@pytest.mark.parametrize("name", TRAVERSAL, ids=["passwd", "missing", "device", "root", "nul", "long"])
def test_every_file_name_a_user_gives(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = str(MINI)
    commands = [
        ["check", name], ["test", name], ["compile", name], ["decide", name, "--applicant", "-"],
        ["decide", spec, "--applicant", name], ["simulate", spec, "--data", name],
        ["simulate", spec, "--data", f"duckdb:{name}:applicants"], ["validate-data", spec, "--data", name],
        ["simulate", spec, "--champion", name, "--data", name],
    ]
    for args in commands:
        result = _cli(*args)
        assert result.exit_code in (1, 2), (args, result.output)
        assert "\x00" not in result.output
    before = sorted(p.name for p in tmp_path.iterdir())
    for args in (["compile", spec, "--out", str(tmp_path / "no" / ".." / ".." / "nowhere" / "x.py")],
                 ["sample-data", spec, "--rows", "10", "--out", str(tmp_path / "no" / "x.parquet")]):
        assert _cli(*args).exit_code == 2, args
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_every_bound_is_documented():
    text = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    for found in limits.LIMITS.values():
        assert f"`{found.name}`" in text and f"{found.value:,}" in text, found
        if found.env:
            assert found.env in text, found
