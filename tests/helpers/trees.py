"""Read a generated tree as {relative path: bytes}, for byte-for-byte comparisons."""

from __future__ import annotations

from pathlib import Path

__all__ = ["read_tree", "tree_differences"]

_CACHES = {".ruff_cache", "__pycache__", ".pytest_cache", ".hypothesis", ".venv"}
"""Folders tools leave in a tree (ruff, Python, pytest): not part of what was generated."""


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` except tool caches, by its path relative to `root`."""
    out = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not _CACHES & set(relative.parts):
            out[relative.as_posix()] = path.read_bytes()
    return out


def tree_differences(got: dict[str, bytes], want: dict[str, bytes]) -> list[str]:
    """Missing, unexpected and differing files of `got` against `want`."""
    out = [f"missing: {p}" for p in sorted(set(want) - set(got))]
    out += [f"unexpected: {p}" for p in sorted(set(got) - set(want))]
    out += [f"differs: {p}" for p in sorted(set(got) & set(want)) if got[p] != want[p]]
    return out
