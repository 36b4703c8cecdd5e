"""What every route shares: the service of the app, the API key check, documented error answers."""

from __future__ import annotations

from fastapi import HTTPException, Request

from app.core.security import API_KEY_HEADER, key_accepted
from app.models import Problem, ValidationProblem
from app.service import DecisionService

__all__ = ["service_of", "authorize", "ERRORS", "SECURED", "VALIDATION_ERROR"]

ERRORS = {
    400: {"model": Problem, "description": "Malformed request"},
    401: {"model": Problem, "description": "Missing or wrong API key (when `DECISION_API_KEYS` is set)"},
    413: {"model": Problem, "description": "Request body larger than `DECISION_MAX_BODY_BYTES`"},
    415: {"model": Problem, "description": "Request body not sent as application/json"},
}
VALIDATION_ERROR = {"model": ValidationProblem, "description": "A bad value: `detail` names each one (`loc`)"}
SECURED = {"security": [{"ApiKey": []}, {}]}
"""An API key when the service is configured with some; none otherwise."""


def service_of(request: Request) -> DecisionService:
    return request.app.state.service


def authorize(request: Request, service: DecisionService) -> None:
    """401 unless the request carries one of the configured API keys (or none is configured)."""
    if service.keys and not key_accepted(request.headers.get(API_KEY_HEADER), service.keys):
        raise HTTPException(401, "Missing or wrong API key", headers={"WWW-Authenticate": "ApiKey"})
