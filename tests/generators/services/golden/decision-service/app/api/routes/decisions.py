"""`POST /v1/decisions` and `POST /v1/decisions:batch`.

The body is read and validated in one pass by the generated request model (pydantic-core parses the JSON),
and the answer is encoded once: FastAPI's own body, parameter and response handling would cost more than
the decision (Loan Studio's bench/README.md), so the request is documented through `openapi_extra`, and
the handlers are served as plain Starlette routes too (`app.api.main.fast_routes`).
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from app.api.deps import ERRORS, SECURED, VALIDATION_ERROR, authorize, service_of
from app.core.body import RequestRefused, invalid, read_json, validated
from app.models import APPLICANT, BATCH, Decision, DecisionBatch
from app.service import DecisionInputError

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["decisions"])


_TRACE = {"name": "trace", "in": "query", "required": False, "description": "Add every step of the decision",
          "schema": {"type": "boolean", "default": False}}


def _body(schema: str) -> dict:
    return {"parameters": [_TRACE], "requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}, **SECURED}


def _trace(request: Request) -> bool:
    """The `trace` query parameter (read here: FastAPI's parameter handling costs more than the decision)."""
    if not request.scope["query_string"]:
        return False
    value = request.query_params.get("trace")
    if value is None or value in ("false", "0", "False", "no", "off"):
        return False
    if value in ("true", "1", "True", "yes", "on"):
        return True
    raise RequestRefused(JSONResponse({"detail": [{"loc": ["query", "trace"], "msg": "Input should be a valid boolean",
                                                   "type": "bool_parsing"}]}, status_code=422))


@router.post("/decisions", response_model=Decision, responses={**ERRORS, 422: VALIDATION_ERROR}, openapi_extra=_body("Applicant"),
             summary="Decide one applicant")
async def decide(request: Request) -> Response:
    """Decide one applicant: decision, segment, score, band, PD, reasons, scorecard reasons, limit, APR.

    `trace=true` adds every step of the decision. A bad value is a 422 naming the field.
    """
    started = time.perf_counter()
    service = service_of(request)
    authorize(request, service)
    trace = _trace(request)
    applicant = validated(APPLICANT, await read_json(request, service.settings.max_body_bytes))
    try:
        _, answer = service.decide(applicant, trace)
    except DecisionInputError as err:
        raise RequestRefused(invalid(err.errors)) from None
    service.metrics.single_latency.observe(time.perf_counter() - started)
    return Response(answer, media_type="application/json")


@router.post("/decisions:batch", response_model=DecisionBatch, responses={**ERRORS, 422: VALIDATION_ERROR}, openapi_extra=_body("BatchRequest"),
             summary="Decide several applicants")
async def decide_batch(request: Request) -> Response:
    """Decide up to `DECISION_BATCH_MAX` applicants (100 by default), in order; one bad applicant refuses
    the whole batch with a 422 naming it (`["body", "applicants", index, field]`)."""
    started = time.perf_counter()
    service = service_of(request)
    authorize(request, service)
    trace = _trace(request)
    batch = validated(BATCH, await read_json(request, service.settings.max_body_bytes))
    applicants = batch["applicants"]
    limit = service.settings.batch_max
    if len(applicants) > limit:
        raise RequestRefused(invalid([{"loc": ["applicants"], "type": "too_long",
                                       "msg": f"At most {limit} applicants in one batch, got {len(applicants)}"}]))
    answers = []
    for index, applicant in enumerate(applicants):
        try:
            answers.append(service.decide(applicant, trace)[1])
        except DecisionInputError as err:
            raise RequestRefused(invalid([{**e, "loc": ["applicants", index, *e["loc"]]} for e in err.errors])) from None
    payload = b'{"decisions":[' + b",".join(answers) + b"]}"
    service.metrics.batch_latency.observe(time.perf_counter() - started)
    return Response(payload, media_type="application/json")

