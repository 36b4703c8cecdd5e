"""CPU per request of an ASGI app, in process, without HTTP (a worker of bench/service_bench.py):

    python bench/service_cpu.py APP_DIR MODULE:ATTR BODIES.json [--requests 5000] [--rounds 3]

Calls the app directly with POST /v1/decisions for each body in turn (lifespan started, so a decision
service writes its log) and prints {"cpu_us": [...]} : the process's CPU time (every thread, the log
writer's included, its final drain too) per request, for each round. CPU time, unlike requests per
second, hardly moves when other processes share the cores.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import sys
import time


async def _call(app, body: bytes) -> int:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/v1/decisions", "raw_path": b"/v1/decisions", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode())],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    sent = False
    status = []

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)

    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


async def _run(app, bodies: list[bytes], requests: int, rounds: int) -> list[float]:
    service = getattr(getattr(app, "state", None), "service", None)
    if service is not None:
        service.start()
    for i in range(500):
        assert await _call(app, bodies[i % len(bodies)]) == 200
    out = []
    for _ in range(rounds):
        began = time.process_time()
        for i in range(requests):
            await _call(app, bodies[i % len(bodies)])
        if service is not None:  # the log written before the clock stops: its CPU is the requests'
            while service.log._queue:
                await asyncio.sleep(0.01)
        out.append((time.process_time() - began) / requests * 1e6)
    if service is not None:
        service.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("app_dir")
    parser.add_argument("target")
    parser.add_argument("bodies")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, args.app_dir)
    module, attr = args.target.split(":")
    app = getattr(importlib.import_module(module), attr)
    bodies = [json.dumps(b, ensure_ascii=False).encode() for b in json.load(open(args.bodies, encoding="utf-8"))]
    print(json.dumps({"cpu_us": asyncio.run(_run(app, bodies, args.requests, args.rounds))}))


if __name__ == "__main__":
    main()
