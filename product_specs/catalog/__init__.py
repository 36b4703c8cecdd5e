"""The example products that ship with Loan Studio."""

from __future__ import annotations

from pathlib import Path

__all__ = ["CATALOG_DIR", "catalog_paths", "catalog_path"]

CATALOG_DIR = Path(__file__).parent


def catalog_paths() -> list[Path]:
    """Every catalog product file, in name order."""
    return sorted(CATALOG_DIR.glob("*.yaml"))


def catalog_path(product_id: str) -> Path:
    """The file of one catalog product, by id (file stem)."""
    return CATALOG_DIR / f"{product_id}.yaml"
