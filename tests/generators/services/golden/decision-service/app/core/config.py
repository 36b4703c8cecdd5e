"""Settings, read once from the environment (or a `.env` file) by pydantic-settings.

| variable | default | meaning |
| --- | --- | --- |
| `DECISION_API_KEYS` | empty (no key needed) | comma-separated API keys; when set, `/v1/*` needs `X-API-Key` |
| `DECISION_LOG_URL` | `sqlite:///decisions.db` | SQLAlchemy URL of the decision log |
| `DECISION_LOG_QUEUE_SIZE` | 10000 | decisions waiting to be written before new ones are dropped (and counted) |
| `DECISION_LOG_BATCH_SIZE` | 500 | decisions written per transaction at most |
| `DECISION_LOG_DRAIN_SECONDS` | 10 | at shutdown, how long the writer may take to write what is queued |
| `DECISION_BATCH_MAX` | 100 | applicants in one `POST /v1/decisions:batch` at most |
| `DECISION_MAX_BODY_BYTES` | 1000000 | request body size at most (413 beyond) |
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """What an operator can change without rebuilding the service."""

    model_config = SettingsConfigDict(env_prefix="DECISION_", env_file=".env", extra="ignore", frozen=True)

    api_keys: str = Field("", repr=False)
    """Comma-separated API keys; empty means the API is open (put it behind your gateway then)."""
    log_url: str = "sqlite:///decisions.db"
    """SQLAlchemy URL of the decision log (SQLite by default; PostgreSQL, MySQL... with their driver)."""
    log_queue_size: int = Field(10_000, ge=1, le=1_000_000)
    log_batch_size: int = Field(500, ge=1, le=100_000)
    log_drain_seconds: float = Field(10.0, ge=0, le=600)
    batch_max: int = Field(100, ge=1, le=10_000)
    max_body_bytes: int = Field(1_000_000, ge=1_024, le=100_000_000)

    @property
    def keys(self) -> tuple[bytes, ...]:
        """The configured API keys (blank entries ignored)."""
        return tuple(k.strip().encode() for k in self.api_keys.split(",") if k.strip())
