"""The designer's workspace folder: products saved as numbered versions, drafts, simulations, publishing.

Layout (every path is inside the workspace root; names are checked, never joined raw):

    <root>/<product>/v0001.yaml       saved versions, never overwritten (created with an exclusive link)
    <root>/<product>/v0001.json       what is known of a version: saved at, note, spec hash, check status
    <root>/<product>/draft.yaml       the unsaved draft (written on every edit, so it survives a reload)
    <root>/<product>/simulations.json simulations run, by spec hash (publishing needs one)
    <root>/.last                      the product opened last

Saving is atomic (written beside, flushed, then linked into place), keeps every earlier version, and a
published version is immutable: its files are made read-only and its record can no longer change.
Front ends (the command line, the browser) call these functions; none of them prints or draws.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import stat
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["Workspace", "Version", "WorkspaceError", "NAME_PATTERN", "MAX_SPEC_BYTES", "MAX_NOTE_CHARS"]

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")
"""A product's folder name: the same shape as a product id (no dots, no slashes, nothing to escape with)."""
MAX_SPEC_BYTES = 2_000_000
"""Largest spec text the workspace stores."""
MAX_NOTE_CHARS = 500
_VERSION = re.compile(r"v(\d{4,6})\.yaml\Z")


class WorkspaceError(ValueError):
    """A workspace request that cannot be done (bad name, unknown version, publishing refused...)."""


@dataclass(frozen=True)
class Version:
    """One saved version of a product."""

    product: str
    number: int
    saved_at: str
    note: str = ""
    spec_hash: str | None = None
    errors: int | None = None
    warnings: int | None = None
    published: bool = False
    published_at: str | None = None
    restored_from: int | None = None

    @property
    def label(self) -> str:
        return f"v{self.number}"


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _write_atomic(path: Path, data: bytes, exclusive: bool = False) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new one, never a part.

    With `exclusive`, an existing file is never replaced (a second writer of the same version fails).
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if exclusive:
            os.link(tmp, path)  # fails with FileExistsError instead of overwriting
        else:
            os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


class Workspace:
    """Products and their versions under one root folder."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()

    # --- paths ---------------------------------------------------------------------------------------
    def _folder(self, product: str, create: bool = False) -> Path:
        if not isinstance(product, str) or not NAME_PATTERN.match(product):
            raise WorkspaceError(f"{product!r} is not a product name: use lower-case letters, digits and _, "
                                 "starting with a letter (at most 64)")
        folder = self.root / product
        if folder.is_symlink() or (folder.exists() and folder.resolve().parent != self.root):
            raise WorkspaceError(f"{product!r} is outside the workspace")
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _file(self, product: str, name: str, create: bool = False) -> Path:
        path = self._folder(product, create) / name
        if path.is_symlink():
            raise WorkspaceError(f"{product}/{name} is a link: refused")
        return path

    # --- products and versions -------------------------------------------------------------------------
    def products(self) -> list[str]:
        """Every product with a saved version or a draft, in name order."""
        if not self.root.is_dir():
            return []
        out = []
        for p in sorted(self.root.iterdir()):
            if p.is_dir() and not p.is_symlink() and NAME_PATTERN.match(p.name) and (
                    any(p.glob("v*.yaml")) or (p / "draft.yaml").is_file()):
                out.append(p.name)
        return out

    def versions(self, product: str) -> list[Version]:
        """Saved versions of a product, oldest first."""
        folder = self._folder(product)
        if not folder.is_dir():
            return []
        numbers = sorted(int(m.group(1)) for p in folder.iterdir() if (m := _VERSION.match(p.name)))
        return [self.version(product, n) for n in numbers]

    def version(self, product: str, number: int) -> Version:
        path = self._version_path(product, number)
        if not path.is_file():
            raise WorkspaceError(f"{product} has no version {number}")
        meta = path.with_suffix(".json")
        try:
            data = json.loads(meta.read_text(encoding="utf-8")) if meta.is_file() else {}
        except (OSError, ValueError):
            data = {}
        known = {k: v for k, v in data.items() if k in Version.__dataclass_fields__}
        known.update(product=product, number=number)
        known.setdefault("saved_at", "")
        return Version(**known)

    def _version_path(self, product: str, number: int) -> Path:
        if not isinstance(number, int) or not 1 <= number <= 999_999:
            raise WorkspaceError(f"{number!r} is not a version number")
        return self._file(product, f"v{number:04d}.yaml")

    def read(self, product: str, number: int) -> str:
        """The text of a saved version, exactly as saved."""
        path = self._version_path(product, number)
        if not path.is_file():
            raise WorkspaceError(f"{product} has no version {number}")
        return path.read_bytes().decode("utf-8")

    def latest(self, product: str) -> Version | None:
        versions = self.versions(product)
        return versions[-1] if versions else None

    def save(self, product: str, text: str, note: str = "", spec_hash: str | None = None,
             errors: int | None = None, warnings: int | None = None, restored_from: int | None = None
             ) -> Version:
        """Save `text` as the next version of `product` (the earlier ones are kept as they are)."""
        data = self._checked_text(text)
        note = (note or "")[:MAX_NOTE_CHARS]
        self._folder(product, create=True)
        for _ in range(100):  # another writer may take the number first: take the next one
            latest = self.latest(product)
            number = (latest.number if latest else 0) + 1
            path = self._version_path(product, number)
            try:
                _write_atomic(path, data, exclusive=True)
            except FileExistsError:
                continue
            version = Version(product, number, _now(), note, spec_hash, errors, warnings,
                              restored_from=restored_from)
            self._write_meta(version)
            return version
        raise WorkspaceError(f"cannot save {product}: too many concurrent saves")

    def _write_meta(self, version: Version) -> None:
        path = self._version_path(version.product, version.number).with_suffix(".json")
        if path.is_file() and self.version(version.product, version.number).published:
            raise WorkspaceError(f"{version.product} v{version.number} is published: it cannot change")
        _write_atomic(path, json.dumps(asdict(version), ensure_ascii=False, indent=1).encode("utf-8"))

    @staticmethod
    def _checked_text(text: str) -> bytes:
        if not isinstance(text, str):
            raise WorkspaceError("a spec is text")
        data = text.encode("utf-8")
        if len(data) > MAX_SPEC_BYTES:
            raise WorkspaceError(f"the spec is larger than {MAX_SPEC_BYTES:,} bytes")
        return data

    def restore(self, product: str, number: int, note: str = "") -> Version:
        """Save an earlier version again as the newest one, byte for byte (history stays linear)."""
        old = self.version(product, number)
        return self.save(product, self.read(product, number), note or f"restored from v{number}", old.spec_hash,
                         old.errors, old.warnings, restored_from=number)

    def diff(self, product: str, a: int, b: int) -> str:
        """A unified diff from version `a` to version `b` (empty when equal)."""
        left, right = self.read(product, a), self.read(product, b)
        return "".join(difflib.unified_diff(left.splitlines(keepends=True), right.splitlines(keepends=True),
                                            f"{product} v{a}", f"{product} v{b}"))

    # --- simulations and publishing ----------------------------------------------------------------------
    def record_simulation(self, product: str, spec_hash: str, summary: dict) -> None:
        """Remember that the spec with `spec_hash` was simulated (publishing requires it)."""
        path = self._file(product, "simulations.json", create=True)
        runs = self.simulations(product)
        runs[spec_hash] = {**summary, "at": _now()}
        _write_atomic(path, json.dumps(runs, ensure_ascii=False, indent=1, default=str).encode("utf-8"))

    def simulations(self, product: str) -> dict[str, dict]:
        path = self._file(product, "simulations.json")
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def publish(self, product: str, number: int) -> Version:
        """Mark a version published. Refused unless the version's text checks without error (example tests
        included) and a simulation of exactly that spec was recorded. A published version never changes."""
        from designer.use_cases import check_text

        version = self.version(product, number)
        if version.published:
            raise WorkspaceError(f"{product} v{number} is already published")
        outcome = check_text(self.read(product, number), f"{product} v{number}")
        if outcome.checked is None:
            raise WorkspaceError(f"{product} v{number} has {len(outcome.errors)} error(s): fix them before publishing")
        spec_hash = outcome.checked.spec_hash
        if spec_hash not in self.simulations(product):
            raise WorkspaceError(f"{product} v{number} has not been simulated: run a simulation on it first")
        published = Version(**{**asdict(version), "published": True, "published_at": _now(), "spec_hash": spec_hash,
                               "errors": 0, "warnings": len(outcome.warnings)})
        self._write_meta(published)
        for path in (self._version_path(product, number), self._version_path(product, number).with_suffix(".json")):
            path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        return published

    # --- drafts ------------------------------------------------------------------------------------------
    def save_draft(self, product: str, text: str) -> None:
        """Keep the unsaved draft of a product (replaced on every edit)."""
        _write_atomic(self._file(product, "draft.yaml", create=True), self._checked_text(text))
        self.set_last(product)

    def read_draft(self, product: str) -> str | None:
        path = self._file(product, "draft.yaml")
        return path.read_bytes().decode("utf-8") if path.is_file() else None

    def discard_draft(self, product: str) -> None:
        self._file(product, "draft.yaml").unlink(missing_ok=True)

    def set_last(self, product: str) -> None:
        self._folder(product)
        self.root.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.root / ".last", product.encode("utf-8"))

    def last(self) -> str | None:
        """The product opened last, if it still has a draft or a version."""
        try:
            name = (self.root / ".last").read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return name if NAME_PATTERN.match(name) and name in self.products() else None
