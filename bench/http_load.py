"""A small HTTP/1.1 load generator for when ``wrk`` is not installed: keep-alive connections on one
asyncio loop, raw sockets, one request in flight per connection (as wrk does).

Run by bench/menu_http_bench.py in a process of its own:
``python bench/http_load.py URL SECONDS CONNECTIONS [HEADER ...]`` (headers as ``Name: value``); prints
one JSON object: requests, seconds, statuses, body bytes, p50/p99 latency in ms.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from urllib.parse import urlsplit


async def connection(host: str, port: int, request: bytes, stop: float, statuses: Counter[int],
                     latencies: list[float], counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            started = time.perf_counter()
            if started >= stop:
                return
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
            counts[0] += length
    finally:
        writer.close()


async def main(url: str, seconds: float, connections: int, headers: list[str]) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}", *headers, "", ""]
    request = "\r\n".join(lines).encode("latin-1")
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    counts = [0]
    started = time.perf_counter()
    await asyncio.gather(*(connection(host, port, request, started + seconds, statuses, latencies, counts)
                           for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[max(0, int(q * len(latencies) + 0.999999) - 1)] * 1000 if latencies else 0.0

    return {"requests": len(latencies), "seconds": elapsed, "statuses": {str(k): v for k, v in statuses.items()},
            "bodyBytes": counts[0], "p50Ms": pct(0.5), "p99Ms": pct(0.99)}


if __name__ == "__main__":
    result = asyncio.run(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]))
    print(json.dumps(result))
