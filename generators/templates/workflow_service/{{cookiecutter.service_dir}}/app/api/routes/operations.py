"""The work lists and the book: `GET /v1/queues/manual-review`, `GET /v1/collections/due`,
`GET /v1/portfolio`, and `GET /v1/lifecycle` (the product's lifecycle as data)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response

from app import early_warning
from app.api.deps import ERRORS, SECURED, answer, authorize, run, service_of
from app.db import utcnow
from app.lifecycle import LIFECYCLE, POST_LOAN, PRODUCT
from app.models import DueActions, Portfolio, ReviewQueue
from app.views import REVIEW_STATES, due_actions, portfolio, review_queue

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["operations"])

Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]


def _limit(service, limit: int | None) -> int:
    most = service.settings.list_max
    if limit is not None and limit > most:
        raise HTTPException(422, f"limit: at most {most} items per request")
    return limit or most


@router.get("/queues/manual-review", response_model=ReviewQueue, responses={401: ERRORS[401]},
            openapi_extra=SECURED, summary="The manual-review queue")
async def manual_review(request: Request, limit: Annotated[int | None, Query(ge=1)] = None, offset: Offset = 0,
                        stage: Annotated[str | None, Query(max_length=64, description="One review state only")] = None
                        ) -> Response:
    """Applications waiting for a person (a referral's review steps), the one whose SLA runs out first
    first, with the stage, who acts, the SLA and whether it is breached."""
    service = service_of(request)
    authorize(request, service)
    if stage is not None and stage not in REVIEW_STATES:
        raise HTTPException(422, f"stage: one of {', '.join(REVIEW_STATES)}")
    items = await run(_read, service, lambda s: review_queue(s, utcnow(), _limit(service, limit), offset, stage))
    return answer({"items": items})


@router.get("/collections/due", response_model=DueActions, responses={401: ERRORS[401]}, openapi_extra=SECURED,
            summary="Collection actions due on a day")
async def collections_due(request: Request, date: dt.date, limit: Annotated[int | None, Query(ge=1)] = None,
                          offset: Offset = 0) -> Response:
    """The collection actions scheduled on `date` (YYYY-MM-DD) for loans that are still overdue."""
    service = service_of(request)
    authorize(request, service)
    items = await run(_read, service, lambda s: due_actions(s, date, _limit(service, limit), offset))
    return answer({"date": date.isoformat(), "items": items})


@router.get("/portfolio", response_model=Portfolio, responses={401: ERRORS[401]}, openapi_extra=SECURED,
            summary="The book by state and DPD bucket")
async def book(request: Request) -> Response:
    """Counts and outstanding principal by state, and of overdue loans by DPD bucket."""
    service = service_of(request)
    authorize(request, service)
    return answer(await run(_read, service, portfolio))


@router.get("/lifecycle", summary="The product's lifecycle", openapi_extra=SECURED,
            responses={200: {"description": "States, stages, SLAs, transitions, buckets, actions, warnings",
                             "content": {"application/json": {"schema": {"type": "object"}}}}, 401: ERRORS[401]})
async def lifecycle(request: Request) -> Response:
    """The product, its states (with the spec stage, who acts and the SLA), the events each accepts and
    where they lead, the DPD buckets, collection actions and early-warning rules."""
    service = service_of(request)
    authorize(request, service)
    return answer({"product": PRODUCT, "lifecycle": LIFECYCLE, "post_loan": POST_LOAN,
                   "early_warnings": list(early_warning.WARNINGS)})


def _read(service, query):
    with service.db.read() as session:
        return query(session)
