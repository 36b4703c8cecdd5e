"""Where Loan Studio keeps its files: one settings object, read by every front end.

Each setting comes from an environment variable (`LOANSTUDIO_SAMPLES_DIR`, `LOANSTUDIO_WORKSPACE_DIR`,
`LOANSTUDIO_GENERATED_DIR`, `LOANSTUDIO_CATALOG_DIRS` as a JSON list) or its default. The library never
decides a path itself: front ends read these and pass them down, so an installed wheel never writes into
site-packages and a test run never writes into the checkout.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "settings"]


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def _default_catalog() -> list[Path]:
    from product_specs.catalog import CATALOG_DIR

    return [CATALOG_DIR]


class Settings(BaseSettings):
    """Folders Loan Studio reads and writes."""

    model_config = SettingsConfigDict(env_prefix="LOANSTUDIO_", frozen=True)

    samples_dir: Path = Field(default_factory=lambda: _cache_home() / "loanstudio" / "samples")
    """Cache of generated default samples (regenerated whenever a product or the generator changes)."""
    workspace_dir: Path = Path("workspace")
    """The designer's saved products and their versions."""
    generated_dir: Path = Path("generated")
    """Where `generate` writes services."""
    catalog_dirs: list[Path] = Field(default_factory=_default_catalog)
    """Folders of reference products."""


@functools.cache
def settings() -> Settings:
    """The settings of this process (read once from the environment)."""
    return Settings()
