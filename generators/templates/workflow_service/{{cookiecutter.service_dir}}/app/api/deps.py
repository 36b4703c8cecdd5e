"""What every route shares: the service of the app, the API key check, JSON answers, documented errors."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from anyio import to_thread
from fastapi import HTTPException, Request, Response

from app.core.config import Settings
from app.core.metrics import Metrics
from app.core.security import API_KEY_HEADER, key_accepted
from app.db import Database
from app.models import Conflict, Problem
from app.outbox import Relay
from app.workflow import Workflow

__all__ = ["Service", "service_of", "authorize", "answer", "digest", "run", "ERRORS", "SECURED", "KEY_PATTERN"]

ERRORS = {
    400: {"model": Problem, "description": "Malformed request"},
    401: {"model": Problem, "description": "Missing or wrong API key (when `WORKFLOW_API_KEYS` is set)"},
    413: {"model": Problem, "description": "Request body larger than `WORKFLOW_MAX_BODY_BYTES`"},
    415: {"model": Problem, "description": "Request body not sent as application/json"},
}
NOT_FOUND = {404: {"model": Problem, "description": "Application not found"}}
CONFLICT = {409: {"model": Conflict, "description": "The event is not allowed in the application's state, or "
                                                    "another request changed the application at the same time"}}
SECURED = {"security": [{"ApiKey": []}, {}]}
"""An API key when the service is configured with some; none otherwise."""
KEY_PATTERN = r"^[\x21-\x7e]{1,200}$"
"""An Idempotency-Key: 1 to 200 printable ASCII characters, no spaces."""

_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


@dataclass
class Service:
    """One running instance: settings, database, lifecycle, metrics, outbox relay."""

    settings: Settings
    db: Database
    workflow: Workflow
    metrics: Metrics
    relay: Relay

    @property
    def keys(self) -> tuple[bytes, ...]:
        return self.settings.keys


def service_of(request: Request) -> Service:
    return request.app.state.service


def authorize(request: Request, service: Service) -> None:
    """401 unless the request carries one of the configured API keys (or none is configured)."""
    if service.keys and not key_accepted(request.headers.get(API_KEY_HEADER), service.keys):
        raise HTTPException(401, "Missing or wrong API key", headers={"WWW-Authenticate": "ApiKey"})


def answer(body, status: int = 200, replayed: bool | None = None) -> Response:
    headers = {"Idempotent-Replayed": "true" if replayed else "false"} if replayed is not None else None
    return Response(_dumps(body).encode(), status_code=status, media_type="application/json", headers=headers)


def digest(value) -> str:
    """The fingerprint of a validated request: the same content gives the same hash, whatever its layout."""
    canonical = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def run(function, *args):
    """Run blocking database work in a worker thread, keeping the event loop free."""
    return await to_thread.run_sync(function, *args)
