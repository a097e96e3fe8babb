"""A small concurrent HTTP load client: one process per concurrent client, keep-alive connections.

Each client process signs in once (browser session or bearer token), then sends the requests a
scenario generates for a fixed time or count, and reports latencies. Only loopback addresses.
"""
from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import re
import statistics
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from queue import Empty
from typing import Any

Request = tuple[str, str, dict[str, str], bytes | None]  # method, path, headers, body


@dataclass
class Result:
    name: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(repr=False, default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    warmup_statuses: dict[int, int] = field(default_factory=dict)  # answered, but not measured

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        data = sorted(self.latencies_ms)
        k = min(len(data) - 1, max(0, int(round(p / 100 * len(data) + 0.5)) - 1))
        return data[k]

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "concurrency": self.concurrency, "requests": self.requests,
                "errors": self.errors, "rps": round(self.rps, 1), "p50_ms": round(self.pct(50), 2),
                "p95_ms": round(self.pct(95), 2), "p99_ms": round(self.pct(99), 2),
                "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else None,
                "statuses": self.statuses}


class Session:
    """A keep-alive connection with cookies (for the signed-in browser flow) or a bearer token."""

    def __init__(self, host: str, port: int, token: str | None = None):
        assert host in ("127.0.0.1", "localhost", "::1"), "benchmarks only talk to loopback"
        self.host, self.port, self.token = host, port, token
        self.conn = http.client.HTTPConnection(host, port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None

    def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                body: bytes | None = None) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.token and path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {self.token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def sign_in(self, email: str, password: str) -> None:
        status, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token}).encode()
        status, _ = self.request("POST", "/login", {"Content-Type": "application/x-www-form-urlencoded"}, body)
        if status != 302:
            raise RuntimeError(f"sign-in failed: {status}")
        _, page = self.request("GET", "/")
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        self.csrf = match.group(1).decode() if match else None


def json_request(method: str, path: str, payload: Any, headers: dict[str, str] | None = None) -> Request:
    return method, path, {"Content-Type": "application/json", **(headers or {})}, json.dumps(payload).encode()


Scenario = Callable[[int, int], Any]  # (client index, concurrency) -> iterator of Request


def _client(index: int, concurrency: int, host: str, port: int, auth: dict[str, str], scenario: Scenario,
            duration: float, max_requests: int, ok: tuple[int, ...], warmup: int, barrier: Any,
            queue: Any) -> None:
    session = Session(host, port, token=auth.get("token"))
    if auth.get("email"):
        session.sign_in(auth["email"], auth["password"])
    requests = scenario(index, concurrency)
    warm: dict[int, int] = {}
    for _ in range(warmup):  # first requests pay for imports and caches in the worker: not measured
        method, path, headers, body = next(requests)
        try:
            status, _ = session.request(method, path, headers, body)
        except Exception:  # noqa: BLE001 — a worker killed on a timeout: counted, the run goes on
            status = 0
            session = Session(host, port, token=auth.get("token"))
            if auth.get("email"):
                session.sign_in(auth["email"], auth["password"])
        warm[status] = warm.get(status, 0) + 1
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    barrier.wait(timeout=600)  # a client that died before it breaks the barrier for all
    started = time.perf_counter()
    for method, path, headers, body in requests:
        if len(latencies) >= max_requests or time.perf_counter() - started > duration:
            break
        t0 = time.perf_counter()
        try:
            status, _ = session.request(method, path, headers, body)
        except Exception:  # noqa: BLE001 — a dropped connection counts as an error, the run goes on
            status = 0
        latencies.append((time.perf_counter() - t0) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
        if status not in ok:
            errors += 1
    queue.put((latencies, statuses, errors, time.perf_counter() - started, warm))


def run(name: str, *, port: int, scenario: Scenario, concurrency: int, duration: float = 10.0,
        max_requests: int = 10**9, auth: dict[str, str] | None = None, ok: tuple[int, ...] = (200,),
        host: str = "127.0.0.1", warmup: int = 3) -> Result:
    """Run ``scenario`` from ``concurrency`` client processes; returns the merged result."""
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(concurrency)
    queue = ctx.Queue()
    procs = [ctx.Process(target=_client, args=(i, concurrency, host, port, auth or {}, scenario, duration,
                                               max_requests, ok, warmup, barrier, queue))
             for i in range(concurrency)]
    for p in procs:
        p.start()
    parts = []
    while len(parts) < len(procs):
        try:
            parts.append(queue.get(timeout=1))
        except Empty:
            # a client that died (its server connection dropped before it could report) is counted
            # as a failed client instead of the run waiting for it
            if not any(p.is_alive() for p in procs) and queue.empty():
                break
    for p in procs:
        p.join()
    lost = len(procs) - len(parts)
    result = Result(name, concurrency, 0, 0, max((part[3] for part in parts), default=0.0))
    if lost:
        result.errors += lost
        result.statuses[0] = result.statuses.get(0, 0) + lost
    for latencies, statuses, errors, _, warm in parts:
        for status, n in warm.items():
            result.warmup_statuses[status] = result.warmup_statuses.get(status, 0) + n
        result.latencies_ms += latencies
        result.requests += len(latencies)
        result.errors += errors
        for status, n in statuses.items():
            result.statuses[status] = result.statuses.get(status, 0) + n
    return result
