"""The example products that ship with Loan Studio."""

from __future__ import annotations

from pathlib import Path

__all__ = ["CATALOG_DIR", "catalog_paths", "catalog_path", "baseline_paths"]

CATALOG_DIR = Path(__file__).parent


def catalog_paths() -> list[Path]:
    """Every catalog product file, in name order."""
    return sorted(CATALOG_DIR.glob("*.yaml"))


def catalog_path(product_id: str) -> Path:
    """The file of one catalog product, by id (file stem)."""
    return CATALOG_DIR / f"{product_id}.yaml"


def baseline_paths() -> list[Path]:
    """Every baseline spec (a catalog product's bank policy before it), in name order."""
    return sorted((CATALOG_DIR / "baselines").glob("*_baseline.yaml"))
