"""Request bodies: JSON only, bounded in size, validated in one pass, refused with the reason in FastAPI's
error shape (`{"detail": [{"loc": ["body", ...], "msg": ..., "type": ...}]}`)."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError

__all__ = ["read_json", "validated", "invalid", "RequestRefused"]


class RequestRefused(Exception):
    """A request refused before any decision: its status and the response to send."""

    def __init__(self, response: JSONResponse):
        self.response = response


async def read_json(request: Request, limit: int) -> bytes:
    """The raw body of a JSON request: 415 unless JSON, 413 beyond `limit` bytes (read no further)."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(415, "Send the request body as JSON (Content-Type: application/json)")
    length = request.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise HTTPException(400, "Invalid Content-Length header")
        if int(length) > limit:
            raise HTTPException(413, f"Request body larger than {limit} bytes")
        return await request.body()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"Request body larger than {limit} bytes")
    return bytes(body)


def invalid(errors: list[dict]) -> JSONResponse:
    """A 422 naming each bad value, without echoing the values themselves."""
    detail = [{"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in errors]
    return JSONResponse({"detail": detail}, status_code=422)


def validated(adapter: TypeAdapter, body: bytes):
    """Parse and validate `body` with `adapter`; raise RequestRefused with a 422 otherwise."""
    try:
        return adapter.validate_json(body)
    except ValidationError as err:
        raise RequestRefused(invalid(err.errors(include_url=False, include_input=False))) from None
