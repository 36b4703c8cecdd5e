"""`GET /healthz` (the process answers), `GET /readyz` (it should take traffic), `GET /metrics`."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.api.deps import service_of
from app.core.metrics import CONTENT_TYPE_LATEST
from app.models import Health, Readiness
from app.service import encode

__all__ = ["router"]

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Response:
    """200 while the process serves requests."""
    return Response(b'{"status":"ok"}', media_type="application/json")


@router.get("/readyz", response_model=Readiness, summary="Readiness",
            responses={503: {"model": Readiness, "description": "Not ready: the decision log is failing, full or stopped"}})
async def readyz(request: Request) -> Response:
    """200 when decisions can be taken and logged; 503 with the problems otherwise."""
    problems = service_of(request).problems()
    body = {"status": "unready" if problems else "ready", "problems": problems}
    return Response(encode(body), status_code=503 if problems else 200, media_type="application/json")


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "Prometheus text exposition format"}})
async def metrics(request: Request) -> Response:
    """Decisions by outcome and reason, request latency, decision log health (Prometheus text format)."""
    return Response(service_of(request).metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
