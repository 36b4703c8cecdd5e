"""Settings, read once from the environment (or a `.env` file) by pydantic-settings.

| variable | default | meaning |
| --- | --- | --- |
| `DATABASE_URL` (or `WORKFLOW_DATABASE_URL`) | `sqlite:///workflow.db` | SQLAlchemy URL: SQLite, `postgresql+psycopg://...`, `mysql+pymysql://...` |
| `WORKFLOW_API_KEYS` | empty (no key needed) | comma-separated API keys; when set, `/v1/*` needs `X-API-Key` |
| `WORKFLOW_MIGRATE_ON_START` | true | run `alembic upgrade head` when the app starts (turn off when several instances start together) |
| `WORKFLOW_POOL_SIZE`, `WORKFLOW_MAX_OVERFLOW` | 10, 20 | database connections kept, and opened beyond them under load |
| `WORKFLOW_OUTBOX_PUBLISHER` | `log` | where outbox events go: `log` (the `outbox` logger), `jsonl:<path>` (appended, fsynced), `none` |
| `WORKFLOW_OUTBOX_INTERVAL_SECONDS` | 0.5 | how often the relay looks for unpublished events |
| `WORKFLOW_MAX_BODY_BYTES` | 100000 | request body size at most (413 beyond) |
| `WORKFLOW_LIST_MAX` | 500 | items one list request (queue, due actions) returns at most |
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """What an operator can change without rebuilding the service."""

    model_config = SettingsConfigDict(env_prefix="WORKFLOW_", env_file=".env", extra="ignore", frozen=True)

    database_url: str = Field("sqlite:///workflow.db", validation_alias=AliasChoices(
        "WORKFLOW_DATABASE_URL", "DATABASE_URL", "database_url"), repr=False)
    """SQLAlchemy URL of the workflow database."""
    api_keys: str = Field("", repr=False)
    """Comma-separated API keys; empty means the API is open (put it behind your gateway then)."""
    migrate_on_start: bool = True
    pool_size: int = Field(10, ge=1, le=1000)
    max_overflow: int = Field(20, ge=0, le=1000)
    outbox_publisher: str = Field("log", pattern=r"^(log|none|jsonl:.+)$")
    outbox_interval_seconds: float = Field(0.5, gt=0, le=3600)
    max_body_bytes: int = Field(100_000, ge=1_024, le=100_000_000)
    list_max: int = Field(500, ge=1, le=100_000)

    @property
    def keys(self) -> tuple[bytes, ...]:
        """The configured API keys (blank entries ignored)."""
        return tuple(k.strip().encode() for k in self.api_keys.split(",") if k.strip())
