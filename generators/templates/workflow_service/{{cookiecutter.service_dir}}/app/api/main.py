"""All routes of the service in one router."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.routes import applications, health, operations

__all__ = ["api_router"]

api_router = APIRouter()
api_router.include_router(applications.router)
api_router.include_router(operations.router)
api_router.include_router(health.router)
