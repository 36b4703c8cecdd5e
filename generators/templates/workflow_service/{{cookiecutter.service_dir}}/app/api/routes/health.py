"""`GET /healthz` (the process answers), `GET /readyz` (it should take traffic), `GET /metrics`."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.api.deps import answer, run, service_of
from app.core.metrics import CONTENT_TYPE_LATEST
from app.models import Health, Readiness

__all__ = ["router", "problems"]

router = APIRouter(tags=["operations"])


def problems(service) -> list[str]:
    """Why the instance should not take traffic (empty when ready)."""
    out = []
    try:
        service.db.ping()
    except Exception as err:  # noqa: BLE001 - any failure means not ready; its kind is shown
        out.append(f"database unreachable: {type(err).__name__}")
    if not service.relay.running:
        out.append("outbox relay is not running")
    elif service.relay.failing:
        out.append(service.relay.failing)
    return out


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Response:
    """200 while the process serves requests."""
    return Response(b'{"status":"ok"}', media_type="application/json")


@router.get("/readyz", response_model=Readiness, summary="Readiness",
            responses={503: {"model": Readiness, "description": "Not ready: the database or the outbox relay"}})
async def readyz(request: Request) -> Response:
    """200 when the database answers and the outbox relay runs; 503 with the problems otherwise."""
    found = await run(problems, service_of(request))
    return answer({"status": "unready" if found else "ready", "problems": found}, 503 if found else 200)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "Prometheus text exposition format"}})
async def metrics(request: Request) -> Response:
    """Transitions by event and state, replays, conflicts, outbox, request latency (Prometheus text)."""
    return Response(service_of(request).metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
