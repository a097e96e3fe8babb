"""Drive a scenario with wrk (C, one event loop per thread), so the client is not the bottleneck.

The Python client (``load.py``) spends about as much CPU per request as a bare Flask route: on a
2-core machine it capped the bare route at ~1,500 requests/s, where wrk measures ~2,800. The
fast scenarios (scan, garment page, write, search, bare route) therefore run under wrk; slow,
few-request ones (batches, analytics, labels) stay with the Python client.

Each wrk thread holds one keep-alive connection and plays its own list of requests in order,
cycling (``-t c -c c``: thread i is client i). A Lua script made for the run carries the lists,
counts every status per thread and prints one JSON line at the end.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from itertools import islice
from pathlib import Path
from typing import Any

from benchmarks.load import Request

WRK = "wrk"
ITEMS_PER_CLIENT = 4000  # cycled; enough variety that caches do not flatter the figures


def available() -> bool:
    return shutil.which(WRK) is not None


def _lua_string(value: str | bytes | None) -> str:
    if value is None:
        return "nil"
    text = value.decode() if isinstance(value, bytes) else value
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for ASCII text


SCRIPT = r"""
local lists = %(lists)s
local threads = {}
local counter = 0

function setup(thread)
  thread:set("client", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  statuses = {}
  position = 0
  cycle = 0
  mine = lists[(client %% #lists) + 1]
  -- wrk.format uses a request's own header table instead of wrk.headers: merge them once
  for _, item in ipairs(mine) do
    for name, value in pairs(%(headers)s) do
      if item[3][name] == nil then item[3][name] = value end
    end
  end
end

local idempotent = %(idempotent)s

function request()
  if not idempotent then
    position = position %% #mine + 1
    local item = mine[position]
    return wrk.format(item[1], item[2], item[3], item[4])
  end
  -- writes: an item is done when its answer arrives; a request lost with its connection is
  -- sent again with the same Idempotency-Key, as a till would, and answered once
  local item = mine[position %% #mine + 1]
  local headers = {}
  for name, value in pairs(item[3]) do headers[name] = value end
  headers["Idempotency-Key"] = string.format("%(run)s-%%d-%%d-%%d", client, cycle, position)
  return wrk.format(item[1], item[2], headers, item[4])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if idempotent then
    position = position + 1
    if position %% #mine == 0 then cycle = cycle + 1 end
  end
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      merged[tostring(status)] = (merged[tostring(status)] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(merged) do table.insert(parts, string.format('"%%s": %%d', status, n)) end
  io.write(string.format(
    'WRK-RESULT {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, ' ..
    '"mean_us": %%f, "socket_errors": %%d, "statuses": {%%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end
"""


def _script(lists: list[list[Request]], headers: dict[str, str], idempotent: bool) -> str:
    def item(req: Request) -> str:
        method, path, extra, body = req
        extra_lua = "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in extra.items()) + "}"
        return f"{{{_lua_string(method)}, {_lua_string(path)}, {extra_lua}, {_lua_string(body)}}}"

    lua_lists = "{\n" + ",\n".join("{" + ",".join(item(r) for r in reqs) + "}" for reqs in lists) + "\n}"
    lua_headers = "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()) + "}"
    return SCRIPT % {"lists": lua_lists, "headers": lua_headers, "idempotent": str(idempotent).lower(),
                     "run": "wrk" + os.urandom(6).hex()}


def run(name: str, *, port: int, scenario: Any, concurrency: int, duration: float,
        headers: dict[str, str] | None = None, ok: tuple[int, ...] = (200,), warmup: float = 1.0,
        idempotent: bool = False) -> dict[str, Any]:
    """Run ``scenario(client, concurrency)`` (an iterator of requests per client) under wrk.

    A short unmeasured warm-up run comes first (imports, caches, connections); its statuses are
    reported apart, so a write benchmark can count every acknowledged write. ``idempotent``:
    each request carries an Idempotency-Key and the next item is sent only after an answer
    (gunicorn's sync workers close the connection after each response, and wrk may lose a
    request with its connection).
    """
    lists = [list(islice(scenario(i, concurrency), ITEMS_PER_CLIENT)) for i in range(concurrency)]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_script(lists, headers or {}, idempotent))
        script = f.name
    try:
        # the measured run starts each list from its beginning again: a scenario whose requests
        # depend on each other (writes) passes warmup=0 and warms the server up its own way
        warm = _wrk(script, port, concurrency, warmup) if warmup else {"statuses": {}}
        res = _wrk(script, port, concurrency, duration)
    finally:
        Path(script).unlink(missing_ok=True)
    statuses = {int(k): v for k, v in res["statuses"].items()}
    errors = sum(n for status, n in statuses.items() if status not in ok) + res["socket_errors"]
    seconds = res["duration_us"] / 1e6
    return {"name": name, "concurrency": concurrency, "requests": res["requests"], "errors": errors,
            "rps": round(res["requests"] / seconds, 1) if seconds else 0.0,
            "p50_ms": round(res["p50_us"] / 1000, 2), "p95_ms": round(res["p95_us"] / 1000, 2),
            "p99_ms": round(res["p99_us"] / 1000, 2), "mean_ms": round(res["mean_us"] / 1000, 2),
            "statuses": statuses, "warmup_statuses": {int(k): v for k, v in warm["statuses"].items()},
            "client": "wrk"}



def _wrk(script: str, port: int, concurrency: int, seconds: float) -> dict[str, Any]:
    out = subprocess.run(
        [WRK, "-t", str(concurrency), "-c", str(concurrency), "-d", f"{max(1, round(seconds))}s",
         "--timeout", "30s", "-s", script, f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True, timeout=seconds + 120)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRK-RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {out.stdout[-2000:]} {out.stderr[-2000:]}")
    return json.loads(line.removeprefix("WRK-RESULT "))
