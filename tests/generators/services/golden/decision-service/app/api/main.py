"""All routes of the service: FastAPI's router (which also writes the OpenAPI document) and the two
decision endpoints again as plain Starlette routes, matched first."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.routing import Route

from app.api.routes import decisions, health, product

__all__ = ["api_router", "fast_routes"]

api_router = APIRouter()
api_router.include_router(decisions.router)
api_router.include_router(product.router)
api_router.include_router(health.router)


def fast_routes() -> list[Route]:
    """The decision endpoints as Starlette routes, to be put before FastAPI's routes of the same paths.

    The handlers are the same functions; FastAPI's routes document them. Its per-request routing and
    parameter machinery, measured at about 40 µs a request, would cost more than validating, deciding
    and logging together (Loan Studio's bench/README.md).
    """
    return [Route("/v1/decisions", decisions.decide, methods=["POST"]),
            Route("/v1/decisions:batch", decisions.decide_batch, methods=["POST"])]
