"""The benchmark's floor: a FastAPI endpoint that returns a constant (run by bench/service_bench.py)."""

from fastapi import FastAPI, Response

app = FastAPI()
_BODY = b'{"decision":"approve"}'


@app.post("/v1/decisions")
async def decide() -> Response:
    return Response(_BODY, media_type="application/json")
