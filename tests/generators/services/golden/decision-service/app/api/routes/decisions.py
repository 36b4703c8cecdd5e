"""`POST /v1/decisions` and `POST /v1/decisions:batch`.

The body is read and validated in one pass by the generated request model (pydantic-core parses the JSON),
and the answer is encoded once: FastAPI's own body and response handling would cost a third of the
throughput (bench/README.md of Loan Studio), so the request schema is documented through `openapi_extra`.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response

from app.api.deps import ERRORS, SECURED, authorize, service_of
from app.core.body import RequestRefused, invalid, read_json, validated
from app.models import APPLICANT, BATCH, Decision, DecisionBatch
from app.service import DecisionInputError, encode

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["decisions"])


def _body(schema: str) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}, **SECURED}


@router.post("/decisions", response_model=Decision, responses=ERRORS, openapi_extra=_body("Applicant"),
             summary="Decide one applicant")
async def decide(request: Request, trace: bool = False) -> Response:
    """Decide one applicant: decision, segment, score, band, PD, reasons, scorecard reasons, limit, APR.

    `trace=true` adds every step of the decision. A bad value is a 422 naming the field.
    """
    started = time.perf_counter()
    service = service_of(request)
    authorize(request, service)
    applicant = validated(APPLICANT, await read_json(request, service.settings.max_body_bytes))
    try:
        result = service.decide(applicant, trace)
    except DecisionInputError as err:
        raise RequestRefused(invalid(err.errors)) from None
    payload = encode(result)
    service.metrics.single_latency.observe(time.perf_counter() - started)
    return Response(payload, media_type="application/json")


@router.post("/decisions:batch", response_model=DecisionBatch, responses=ERRORS, openapi_extra=_body("BatchRequest"),
             summary="Decide several applicants")
async def decide_batch(request: Request, trace: bool = False) -> Response:
    """Decide up to `DECISION_BATCH_MAX` applicants (100 by default), in order; one bad applicant refuses
    the whole batch with a 422 naming it (`["body", "applicants", index, field]`)."""
    started = time.perf_counter()
    service = service_of(request)
    authorize(request, service)
    batch = validated(BATCH, await read_json(request, service.settings.max_body_bytes))
    applicants = batch["applicants"]
    limit = service.settings.batch_max
    if len(applicants) > limit:
        raise RequestRefused(invalid([{"loc": ["applicants"], "type": "too_long",
                                       "msg": f"At most {limit} applicants in one batch, got {len(applicants)}"}]))
    decisions = []
    for index, applicant in enumerate(applicants):
        try:
            decisions.append(service.decide(applicant, trace))
        except DecisionInputError as err:
            raise RequestRefused(invalid([{**e, "loc": ["applicants", index, *e["loc"]]} for e in err.errors])) from None
    payload = encode({"decisions": decisions})
    service.metrics.batch_latency.observe(time.perf_counter() - started)
    return Response(payload, media_type="application/json")

