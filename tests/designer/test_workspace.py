"""The workspace: every save a new version, atomic, byte for byte; diff, restore, publish rules; confinement."""

import os

import pytest

from designer.workspace import Workspace, WorkspaceError
from product_specs.catalog import catalog_path

TAX = catalog_path("tax_sme_loan").read_text(encoding="utf-8")


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "ws")


def test_saves_keep_every_version_byte_for_byte(ws):
    first = ws.save("tax", TAX, "first")
    second = ws.save("tax", TAX.replace("owner_age < 22", "owner_age < 23"), "second")
    assert (first.number, second.number) == (1, 2)
    assert ws.read("tax", 1) == TAX
    assert [v.note for v in ws.versions("tax")] == ["first", "second"]
    assert ws.products() == ["tax"]
    assert not [p for p in (ws.root / "tax").iterdir() if p.name.endswith(".tmp")]


def test_a_version_file_is_never_overwritten(ws):
    ws.save("tax", "a: 1\n")
    with pytest.raises(FileExistsError):
        from designer.workspace import _write_atomic

        _write_atomic(ws.root / "tax" / "v0001.yaml", b"b: 2\n", exclusive=True)
    assert ws.read("tax", 1) == "a: 1\n"


def test_diff_and_restore(ws):
    ws.save("tax", TAX)
    ws.save("tax", TAX.replace("owner_age < 22", "owner_age < 23"))
    diff = ws.diff("tax", 1, 2)
    assert "-    when: owner_age < 22" in diff and "+    when: owner_age < 23" in diff
    assert ws.diff("tax", 1, 1) == ""
    restored = ws.restore("tax", 1)
    assert restored.number == 3 and restored.restored_from == 1
    assert ws.read("tax", 3).encode() == TAX.encode()


def test_publish_needs_a_clean_check_and_a_simulation(ws):
    from designer.use_cases import check_text

    ws.save("tax", TAX.replace("when: is_blacklisted = true", "when: is_blaklisted = true"))
    ws.save("tax", TAX)
    with pytest.raises(WorkspaceError, match="error"):
        ws.publish("tax", 1)
    with pytest.raises(WorkspaceError, match="not been simulated"):
        ws.publish("tax", 2)
    ws.record_simulation("tax", check_text(TAX).checked.spec_hash, {"approval_rate": 0.5})
    published = ws.publish("tax", 2)
    assert published.published and ws.version("tax", 2).published
    with pytest.raises(WorkspaceError, match="already published"):
        ws.publish("tax", 2)
    with pytest.raises(WorkspaceError, match="cannot change"):
        ws._write_meta(ws.version("tax", 2))
    assert not os.access(ws.root / "tax" / "v0002.yaml", os.W_OK) or os.geteuid() == 0
    assert ws.read("tax", 2) == TAX


@pytest.mark.parametrize("name", ["../x", "..", "/etc", "a/b", "A", "tax.yaml", "", "x" * 65, "tax\n", "ta x"])
def test_names_outside_the_workspace_are_refused(ws, name):
    with pytest.raises(WorkspaceError):
        ws.save(name, "a: 1\n")
    with pytest.raises(WorkspaceError):
        ws.save_draft(name, "a: 1\n")
    assert not (ws.root.parent / "x").exists()


def test_a_symlinked_product_folder_is_refused(ws, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    ws.root.mkdir(parents=True)
    (ws.root / "evil").symlink_to(outside)
    with pytest.raises(WorkspaceError):
        ws.save("evil", "a: 1\n")
    assert list(outside.iterdir()) == []


def test_drafts_and_the_last_product(ws):
    assert ws.last() is None
    ws.save_draft("tax", "anything typed: [\n")
    assert ws.read_draft("tax") == "anything typed: [\n"
    assert ws.last() == "tax"
    ws.discard_draft("tax")
    assert ws.read_draft("tax") is None


def test_version_numbers_are_checked(ws):
    ws.save("tax", "a: 1\n")
    for bad in (0, -1, 10**7, "1"):
        with pytest.raises(WorkspaceError):
            ws.read("tax", bad)
