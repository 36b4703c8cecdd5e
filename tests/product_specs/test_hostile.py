"""Hostile rule text is refused cleanly and has no side effect; accepted string literals cannot break out.

Every input of HOSTILE must raise RuleError (never another exception, never RecursionError) with a
one-line message that says where, must leave the file system, the shell and a DuckDB database
untouched, and must give `loanstudio check` exit 1 with one finding line and no traceback.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
import subprocess

import duckdb
import pytest
import sqlglot
from helpers import examples
from helpers.spec_edits import MINI, edited, to_yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from designer.use_cases import check_file
from generators.python.emitter import to_python
from generators.sql.emitter import to_sql_tree
from product_specs import RuleError, check_spec, load_spec
from product_specs.rules import BOOLEAN, STRING, Symbol, compile_rule

SENTINEL = "ls_pwned"
HOSTILE = [
    # Python escapes
    f"__import__('os').system('touch {SENTINEL}')",
    "__import__('os')",
    "age.__class__",
    "age.__class__.__bases__[0].__subclasses__()",
    "__class__ is null",
    "__builtins__ = 1",
    "age >= 22 and __builtins__",
    "lambda: 1",
    "lambda x: x > 1",
    "[x for x in range(10)]",
    "(x for x in (1, 2))",
    "{x: 1 for x in (1, 2)}",
    "9**9**9",
    "age ** 2 > 1",
    "age if flag else 1",
    "import os",
    "os.system('id')",
    f"open('{SENTINEL}', 'w') is null",
    "exec('1') = 1",
    "eval('1') = 1",
    "getattr(age, 'real') > 1",
    "system('ls') = 0",
    "compile('1', 'x', 'eval') = 1",
    "globals() is null",
    # SQL injection
    "x); drop table t; --",
    "1; DROP TABLE applicants",
    "age > 1; DROP TABLE applicants --",
    "tax_grade = 'A'; DELETE FROM applicants",
    "tax_grade in (select 'A')",
    "tax_grade = 'A'' or ''1''=''1'",
    "age > 1 union select * from t",
    "tax_grade = 'A' || 'B'",
    "age > 1 /* comment */",
    # template syntax
    "{{ 7*7 }}",
    "{% for x in y %}{% endfor %}",
    "${7*7}",
    "tax_grade = '{{7*7}}'",
    "tax_grade = '%s'",
    "#{7*7}",
    # quotes, newlines, backslashes inside strings
    "tax_grade = 'A",
    "tax_grade = 'A\nB'",
    "tax_grade = 'A\r'",
    '"A" = tax_grade',
    "tax_grade = 'A\\' or 1=1 --'",
    "tax_grade = 'A\\x41'",
    "tax_grade = '<script>alert(1)</script>'",
    "tax_grade = 'A;B'",
    "age > 1 \\",
    # unicode tricks
    "ａge > 1",  # fullwidth a
    "аge > 1",  # Cyrillic a
    "age\u200b > 1",  # zero-width space
    "age > ١",  # Arabic-Indic digit
    "age > 1\u202e",  # right-to-left override
    "age > 1\x00",
    "tax_grade = 'A\u202eB'",
    # size and depth
    "(" * 10_000 + "age > 1" + ")" * 10_000,
    "age > 1 and " * 9_090 + "age > 1",  # about 100,000 characters
    "(" * 30 + "age > 1" + ")" * 30,
    "not " * 30 + "flag",
    "-" * 30 + "age > 1",
    "abs(" * 30 + "age" + ")" * 30 + " > 1",
    "age > 1" + "0" * 30,
    "coalesce(" + ", ".join(["age"] * 9) + ") > 1",
    "tax_grade = '" + "A" * 101 + "'",
    # names, punctuation, comments
    "AGE > 1",
    "Age > 1",
    "age > 1 -- comment",
    "age > 1 # comment",
    "`age` > 1",
    "$age > 1",
    "@age > 1",
    "age > 1;",
    "age > 1 and",
    "round(age, 99) > 1",
    "min(age) > 1",
    "age > 1e308",
    "age = null",
    "",
    "   ",
]


@pytest.fixture(scope="module")
def scope():
    spec = load_spec(MINI)
    report = check_spec(spec)
    return report.checked.scope | {"flag": Symbol(BOOLEAN, False)}


@pytest.fixture
def database():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (x INTEGER)")
    con.execute("CREATE TABLE applicants AS SELECT 30 AS age, 'A' AS tax_grade")
    yield con
    con.close()


@pytest.fixture
def no_escape(monkeypatch, tmp_path):
    """Record every call to the shell, subprocesses, eval, exec and compile while a rule is handled."""
    calls: list[str] = []
    monkeypatch.chdir(tmp_path)

    def recorder(name, real=None):
        def record(*args, **kwargs):
            calls.append(name)
            return real(*args, **kwargs) if real else 0
        return record

    monkeypatch.setattr(os, "system", recorder("os.system"))
    monkeypatch.setattr(os, "popen", recorder("os.popen"))
    monkeypatch.setattr(subprocess, "Popen", recorder("subprocess.Popen"))
    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, recorder(name, getattr(builtins, name)))
    return calls


def _attempt(text: str, scope: dict, con) -> None:
    """Do with a rule what the product does: check it, then emit and run it in both backends."""
    checked = compile_rule(text, scope, BOOLEAN)
    to_python(checked)
    con.execute(exp.select(to_sql_tree(checked)).from_("applicants").sql(dialect="duckdb"))


def _id(text: str) -> str:
    return repr(text[:40]) + (f"...({len(text)})" if len(text) > 40 else "")


def test_enough_hostile_inputs():
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize("text", HOSTILE, ids=[_id(t) for t in HOSTILE])
def test_hostile_rule_is_refused_without_side_effect(text, scope, database, no_escape, tmp_path):
    with pytest.raises(RuleError) as info:
        _attempt(text, scope, database)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message
    assert re.search(r"at column \d+", message), message
    assert 0 <= info.value.position <= len(text)
    assert no_escape == []
    assert not (tmp_path / SENTINEL).exists()
    assert database.execute("SELECT count(*) FROM t").fetchone() == (0,)
    assert database.execute("SELECT age FROM applicants").fetchall() == [(30,)]


def test_hostile_rule_errors_are_short():
    for text in HOSTILE:
        try:
            compile_rule(text, {"age": Symbol("number", False)}, BOOLEAN)
        except RuleError as err:
            assert len(str(err)) < 300, _id(text)


@pytest.mark.parametrize("text", HOSTILE, ids=[_id(t) for t in HOSTILE])
def test_hostile_rule_in_a_spec_fails_check_cleanly(text, tmp_path):
    path = tmp_path / "hostile.yaml"
    path.write_text(to_yaml(edited({"admission[R02].when": text})), encoding="utf-8")
    outcome = check_file(path)
    assert not outcome.unreadable and len(outcome.errors) == 1, outcome.findings
    (error,) = outcome.errors
    assert error.path == "admission[R02].when" and error.line is not None, error


# ---- accepted literals stay literals ---------------------------------------------------------------------

LITERALS = ["A-1 B", "a -- b", "-- drop table t", "x) or (1", "1, 2", "# not a comment", "/ x /", "a:b", "中文 客户",
            "@user", "A&B", "C++", "--", "(", ")", "end", "null", "true", "or 1", "", " ", "x/ y", "row_1"]


def _python_function(source_expr: str):
    namespace: dict = {}
    module = f"def f(name):\n    return {source_expr}\n"
    exec(compile(module, "<emitted>", "exec"), namespace)  # emitted code, as a generated service runs it
    return namespace["f"], ast.parse(module)


def _assert_round_trip(literal: str) -> None:
    checked = compile_rule(f"name = '{literal}'", {"name": Symbol(STRING, False)}, BOOLEAN)
    f, tree = _python_function(to_python(checked))
    assert f(literal) is True and f(literal + "x") is False
    constants = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert constants == [literal]
    tree_sql = to_sql_tree(checked)
    for dialect in ("duckdb", "spark"):
        parsed = sqlglot.parse_one(tree_sql.sql(dialect=dialect), read=dialect)
        strings = [lit.this for lit in parsed.find_all(exp.Literal) if lit.is_string]
        assert strings == [literal], dialect
    query = exp.select(tree_sql).from_(exp.select(exp.alias_(exp.Placeholder(), "name", quoted=True)).subquery())
    with duckdb.connect() as con:
        assert con.execute(query.sql(dialect="duckdb"), [literal]).fetchone() == (True,)
        assert con.execute(query.sql(dialect="duckdb"), [literal + "x"]).fetchone() == (False,)


@pytest.mark.parametrize("literal", LITERALS)
def test_accepted_literal_round_trips(literal):
    _assert_round_trip(literal)


@settings(max_examples=examples(300), deadline=None, database=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30))
def test_any_accepted_literal_round_trips(body):
    try:
        compile_rule(f"name = '{body}'", {"name": Symbol(STRING, False)}, BOOLEAN)
    except RuleError as err:
        assert "\n" not in str(err)
        return
    _assert_round_trip(body)
