"""All routes of the service in one router."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.routes import decisions, health, product

__all__ = ["api_router"]

api_router = APIRouter()
api_router.include_router(decisions.router)
api_router.include_router(product.router)
api_router.include_router(health.router)
