"""`POST /v1/applications`, `GET /v1/applications/{id}`, `POST /v1/applications/{id}/events`.

Bodies are read and validated in one pass by the generated models (JSON only, bounded in size); the
request schemas are documented through `openapi_extra`.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, Response

from app.api.deps import CONFLICT, ERRORS, KEY_PATTERN, NOT_FOUND, SECURED, answer, authorize, digest, run, service_of
from app.core.body import read_json, validated
from app.models import APPLICANT, EVENT, Application

__all__ = ["router"]

router = APIRouter(prefix="/v1/applications", tags=["applications"])

ApplicationId = Annotated[str, Path(min_length=1, max_length=64, description="The application's id")]


def _body(schema: str) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}, **SECURED}


@router.post("", response_model=Application, status_code=201, responses={
    200: {"model": Application, "description": "A retry: the application this Idempotency-Key made"},
    **ERRORS}, openapi_extra=_body("Applicant"), summary="Submit an application")
async def submit(request: Request, idempotency_key: Annotated[str, Header(
        alias="Idempotency-Key", pattern=KEY_PATTERN,
        description="Your unique key for this application: a retry with it answers the same application")]) -> Response:
    """Submit an application: pre-screened against the data dictionary (422 naming each bad field), then
    the checks, the decision... A retry with the same key and body answers the same application (200); the
    same key with another body is a 422."""
    started = time.perf_counter()
    service = service_of(request)
    authorize(request, service)
    applicant = validated(APPLICANT, await read_json(request, service.settings.max_body_bytes))
    view, replayed = await run(service.workflow.submit, idempotency_key, digest(applicant), applicant)
    service.metrics.latency.labels("submit").observe(time.perf_counter() - started)
    return answer(view, 200 if replayed else 201, replayed)


@router.get("/{application_id}", response_model=Application, responses={**NOT_FOUND, 401: ERRORS[401]},
            openapi_extra=SECURED, summary="Read an application")
async def read(request: Request, application_id: ApplicationId) -> Response:
    """State, stage and SLA, decision, offer, loan and schedule, warnings, scheduled actions, history."""
    service = service_of(request)
    authorize(request, service)
    return answer(await run(service.workflow.view, application_id))


@router.post("/{application_id}/events", response_model=Application,
             responses={**NOT_FOUND, **CONFLICT, **ERRORS}, openapi_extra=_body("Event"), summary="Send an event")
async def post_event(request: Request, application_id: ApplicationId, idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", pattern=KEY_PATTERN,
                           description="Optional: a retry with the same key answers the first event's result")] = None
                     ) -> Response:
    """Apply one event (`kyc_passed`, `review_approved`, `offer_accepted`, `contract_signed`, `disbursed`,
    `repayment_received`, `payment_missed`, `monitoring_update`...). An event the state does not allow is a
    409 naming the state and the allowed events; of two racing events exactly one wins, the other is a 409."""
    started = time.perf_counter()
    service = service_of(request)
    authorize(request, service)
    event = validated(EVENT, await read_json(request, service.settings.max_body_bytes)).model_dump(
        mode="json", exclude_none=True)
    view, replayed = await run(service.workflow.apply, application_id, event, idempotency_key, digest(event))
    service.metrics.latency.labels("event").observe(time.perf_counter() - started)
    return answer(view, 200, replayed)
