"""`loanstudio workspace`: save, history, diff, restore, publish from the command line."""

from typer.testing import CliRunner

from designer.cli import app
from product_specs.catalog import catalog_path

TAX = catalog_path("tax_sme_loan")


def run(*args):
    return CliRunner().invoke(app, ["workspace", *map(str, args)])


def test_save_history_diff_restore_and_publish(workspace_dir, tmp_path):
    changed = tmp_path / "changed.yaml"
    changed.write_text(TAX.read_text(encoding="utf-8").replace("owner_age < 22", "owner_age < 23"), encoding="utf-8")
    assert run("save", TAX, "tax", "--note", "first").exit_code == 0
    assert run("save", changed, "tax").exit_code == 0
    history = run("history", "tax")
    assert "v1" in history.output and "v2" in history.output and "first" in history.output
    assert "+    when: owner_age < 23" in run("diff", "tax", 1, 2).output
    assert run("restore", "tax", 1).exit_code == 0
    assert run("show", "tax", 3).output == TAX.read_text(encoding="utf-8")
    refused = run("publish", "tax", 3)
    assert refused.exit_code == 1 and "not been simulated" in refused.output
    assert run("simulate", "tax", 3).exit_code == 0
    assert run("publish", "tax", 3).exit_code == 0
    assert "published" in run("history", "tax").output


def test_bad_names_are_refused_cleanly(workspace_dir):
    result = run("save", TAX, "../escape")
    assert result.exit_code == 1 and "not a product name" in result.output
    assert not (workspace_dir.parent / "escape").exists()
