#!/usr/bin/env python3
"""Crash and load test: cksloop under gunicorn, a write-heavy API workload, SIGKILL mid-run, checks.

    .venv/bin/python scripts/crash_load.py --mode crash --duration 60
    .venv/bin/python scripts/crash_load.py --mode load --duration 180 --clients 8

What it does, on 127.0.0.1 only and in a fresh temporary instance (nothing of yours is touched):
1. ``cksloop db upgrade`` and ``cksloop demo-data`` into a temp instance (SQLite by default, or a
   temporary PostgreSQL database with ``--postgresql``), a user and an API token
   (``cksloop users create`` / ``cksloop tokens create``);
2. starts ``gunicorn -w 2 -b 127.0.0.1:PORT 'cksloop:create_app()'`` as the README's production
   section does;
3. concurrent clients drive a mixed workload over the JSON API for ``--duration`` seconds: reads
   (a garment, its ledger, lists) and writes (``POST /api/v1/garments/{code}/actions`` with an
   ``Idempotency-Key`` and ``expected_version``; batches and scans when the API has them), some
   retried with the same key as a flaky till would; every acknowledged write is recorded;
4. ``--mode crash``: half-way through, the whole server process group gets SIGKILL, is restarted,
   and the clients carry on; a write cut off by the crash is "in doubt": its client sends it
   again with the same Idempotency-Key as soon as the server answers (as a till's offline queue
   does), and the first answer comes back if it had been written, or it is applied now;
5. checks: ``cksloop check`` passes (integrity, append-only guard, every garment == replay of its
   events), every acknowledged write is in the ledger with the acknowledged version, no event is
   in the ledger that no client was told about (no duplicate, no phantom), and no 5xx answer.

Exit status 0 when every check passes; the counts are printed (and written as JSON with --json).
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LOOPBACK = "127.0.0.1"
MAX_DURATION = 900  # seconds: the script is bounded whatever it is asked
MAX_REQUESTS = 2_000_000
LOAD_EMAIL = "load.robot@cks.example"
PG_ADMIN_URL = os.environ.get("CKSLOOP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


# --- the server -----------------------------------------------------------------------------

def _bin(name: str) -> str:
    """A console script of this virtualenv (the one running this script), else from PATH."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: run this with the project's .venv/bin/python")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn in its own process group, so a crash can take master and workers down at once."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log: Path):
        self.env, self.port, self.workers, self.log = env, port, workers, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        with open(self.log, "ab") as fh:
            fh.write(f"\n--- start {self.starts} at {dt.datetime.now().isoformat()} ---\n".encode())
            self.proc = subprocess.Popen(
                [_bin("gunicorn"), "-w", str(self.workers), "-b", f"{LOOPBACK}:{self.port}",
                 "--graceful-timeout", "10", "cksloop:create_app()"],
                cwd=ROOT, env=self.env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, token: str, timeout: float = 60) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc is not None and self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            try:
                status, _ = Client(self.port, token, timeout=5).call("GET", "/api/v1/me")
                if status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"gunicorn did not answer within {timeout} s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL to the whole group: no worker finishes its request, nothing is flushed."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


# --- one HTTP client per thread, keep-alive -------------------------------------------------

class Client:
    def __init__(self, port: int, token: str, timeout: float = 120):
        self.port, self.token, self.timeout = port, token, timeout
        self.conn: http.client.HTTPConnection | None = None

    def call(self, method: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """(status, parsed JSON or None); raises OSError / HTTPException when the server is gone."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=self.timeout)
        all_headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        try:
            self.conn.request(method, path, body=data, headers=all_headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return response.status, parsed

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# --- the workload -----------------------------------------------------------------------------

@dataclass
class World:
    codes: list[str]
    stores: list[str]
    outlet: str | None
    partner_id: int
    batch_path: str | None = None
    scan_path: str | None = None
    report_path: str | None = None


@dataclass
class Write:
    """One write as sent; ``answer`` is the acknowledged result (None while not acknowledged)."""

    path: str
    body: dict[str, Any]
    key: str
    kind: str  # "action" or "batch"
    answer: Any = None
    settled: bool = True  # False while in doubt (sent, answer lost)


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    acknowledged: list[Write] = field(default_factory=list)
    in_doubt: list[Write] = field(default_factory=list)
    in_doubt_outcomes: Counter[str] = field(default_factory=Counter)
    retries_same_answer: int = 0
    retries_different_answer: int = 0
    connection_errors: int = 0
    server_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    def count(self, kind: str, status: int, ms: float) -> None:
        with self.lock:
            self.requests += 1
            self.statuses[status] += 1
            self.by_kind[kind] += 1
            self.latencies_ms.append(ms)


def next_action(garment: dict[str, Any], world: World, rng: random.Random) -> dict[str, Any] | None:
    """A valid action for the garment's state that keeps it inside the loop (no retire/write-off)."""
    state, location = garment.get("state"), (garment.get("location") or {})
    here = location.get("code") if isinstance(location, dict) else location
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    if state == "in_stock":
        options: list[dict[str, Any]] = [{"action": "add_to_rental_pool"},
                                         {"action": "start_care", "care_kind": "cleaning"}]
        if here in world.stores or here == world.outlet:  # sold from a shop floor, not the warehouse
            options.append({"action": "sell"})
        others = [s for s in world.stores if s != here]
        if others:
            options.append({"action": "transfer", "to_location": rng.choice(others)})
        price = garment.get("price_cents")
        if isinstance(price, int) and price > 500:
            options.append({"action": "mark_down", "price_cents": price - rng.randint(1, 300)})
        return rng.choice(options)
    if state == "in_rental_pool":
        return rng.choice([{"action": "check_out_rental", "partner": world.partner_id, "due_on": due},
                           {"action": "remove_from_rental_pool"}])
    if state == "rented_out":
        return rng.choice([{"action": "receive_rental_return", "location": world.stores[0]},
                           {"action": "return_rental", "reason": "end_of_rental", "grade": "A",
                            "location": world.stores[0]}])
    if state == "awaiting_inspection":
        return {"action": "inspect", "grade": rng.choice(["A", "B"])}
    if state == "in_care":
        return {"action": "finish_care", "outcome": "done"}
    if state == "sold":
        return {"action": "customer_return", "location": rng.choice(world.stores)}
    return None  # final states, buyer lots: left alone


class Worker(threading.Thread):
    def __init__(self, n: int, port: int, token: str, world: World, mine: list[str], tally: Tally,
                 deadline: float, budget: threading.Semaphore, seed: int, server_up: threading.Event):
        super().__init__(name=f"client-{n}", daemon=True)
        self.client = Client(port, token)
        self.world, self.mine, self.tally, self.deadline = world, mine, tally, deadline
        self.budget, self.rng, self.server_up = budget, random.Random(seed), server_up

    def run(self) -> None:
        self.pending: list[Write] = []
        while time.monotonic() < self.deadline and self.budget.acquire(blocking=False):
            try:
                if self.pending:
                    self.resend(self.pending[0])
                    self.pending.pop(0)
                else:
                    self.step()
            except (OSError, http.client.HTTPException):
                with self.tally.lock:
                    self.tally.connection_errors += 1
                self.server_up.wait(timeout=max(0.0, self.deadline - time.monotonic()))
        self.client.close()

    def resend(self, write: Write) -> None:
        """The same write, the same key: its first answer if it was written, else applied now."""
        status, answer = self.timed(f"resend {write.kind}", "POST", write.path, write.body,
                                    {"Idempotency-Key": write.key})
        settle(self.tally, write, status, answer)

    def timed(self, kind: str, method: str, path: str, body: Any = None,
              headers: dict[str, str] | None = None) -> tuple[int, Any]:
        started = time.monotonic()
        status, data = self.client.call(method, path, body, headers)
        self.tally.count(kind, status, (time.monotonic() - started) * 1000)
        if status >= 500:
            with self.tally.lock:
                self.tally.server_errors.append(f"{method} {path} → {status} {str(data)[:200]}")
        return status, data

    def step(self) -> None:
        r = self.rng.random()
        code = self.rng.choice(self.world.codes)
        if r < 0.15:
            self.timed("read garment", "GET", f"/api/v1/garments/{code}")
        elif r < 0.20:
            self.timed("read ledger", "GET", f"/api/v1/garments/{code}/events")
        elif r < 0.25:
            state = self.rng.choice(["in_stock", "in_rental_pool", "rented_out", "in_care"])
            self.timed("list", "GET", f"/api/v1/garments?state={state}&page={self.rng.randint(1, 3)}")
        elif r < 0.30 and self.world.scan_path:
            self.timed("scan", "POST", self.world.scan_path, {"payload": code})
        elif r < 0.32 and self.world.report_path:
            self.timed("report", "GET", self.world.report_path)
        elif r < 0.40 and self.world.batch_path:
            self.batch()
        else:
            # mostly this client's own garments; some from everyone's, so writers collide
            pool = self.mine if self.rng.random() < 0.8 else self.world.codes
            self.act(self.rng.choice(pool))

    def act(self, code: str) -> None:
        status, garment = self.timed("read garment", "GET", f"/api/v1/garments/{code}")
        if status != 200 or not isinstance(garment, dict):
            return
        action = next_action(garment, self.world, self.rng)
        if action is None:
            return
        body = {**action, "expected_version": garment.get("version")}
        self.send(Write(f"/api/v1/garments/{code}/actions", body, uuid.uuid4().hex, "action"))

    def batch(self) -> None:
        codes = self.rng.sample(self.mine, k=min(len(self.mine), self.rng.randint(2, 6)))
        to = self.rng.choice(self.world.stores)
        body = {"action": "transfer", "codes": codes, "to_location": to}
        self.send(Write(self.world.batch_path or "", body, uuid.uuid4().hex, "batch"))

    def send(self, write: Write) -> None:
        headers = {"Idempotency-Key": write.key}
        try:
            status, answer = self.timed(f"write {write.kind}", "POST", write.path, write.body, headers)
        except (OSError, http.client.HTTPException):
            write.settled = False
            with self.tally.lock:
                self.tally.in_doubt.append(write)  # sent, answer lost: sent again once the server is back
            self.pending.append(write)
            raise
        if status == 200:
            write.answer = answer
            with self.tally.lock:
                self.tally.acknowledged.append(write)
            if self.rng.random() < 0.1:  # a till that did not see the answer sends it again
                again, repeat = self.timed(f"retry {write.kind}", "POST", write.path, write.body, headers)
                with self.tally.lock:
                    if again == 200 and _same(repeat, answer):
                        self.tally.retries_same_answer += 1
                    else:
                        self.tally.retries_different_answer += 1
        elif status in (409,):
            pass  # someone else acted first: the expected, clear conflict
        elif status < 500:
            with self.tally.lock:
                self.tally.unexpected.append(f"POST {write.path} {write.body} → {status} {str(answer)[:200]}")


def _same(repeat: Any, first: Any) -> bool:
    """The same answer, apart from the batch API's own "replayed" flag (true on a repeat)."""
    if isinstance(repeat, dict) and isinstance(first, dict):
        return {k: v for k, v in repeat.items() if k != "replayed"} == \
            {k: v for k, v in first.items() if k != "replayed"}
    return repeat == first


# --- set-up, run, checks ----------------------------------------------------------------------

def run_cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([_bin("cksloop"), *args], cwd=ROOT, env=env, input=stdin, capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"cksloop {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def read_world(url: str, limit: int) -> tuple[World, int, int]:
    """Garments to work on, places, the partner; and the ledger's size and last event id."""
    from sqlalchemy import func, select

    from cksloop.db.models import Garment, GarmentEvent, Location, RentalPartner
    from cksloop.db.session import make_engine, make_session_factory
    from cksloop.domain.lifecycle import GarmentState, LocationKind

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            live = [GarmentState.IN_STOCK, GarmentState.IN_RENTAL_POOL, GarmentState.RENTED_OUT,
                    GarmentState.AWAITING_INSPECTION, GarmentState.IN_CARE, GarmentState.SOLD]
            codes = list(s.scalars(select(Garment.code).where(Garment.state.in_(live))
                                   .order_by(Garment.id).limit(limit)))
            stores = list(s.scalars(select(Location.code).where(Location.kind == LocationKind.STORE)
                                    .order_by(Location.id)))
            outlet = s.scalar(select(Location.code).where(Location.kind == LocationKind.OUTLET))
            partner = s.scalar(select(RentalPartner.id).order_by(RentalPartner.id))
            events = s.scalar(select(func.count()).select_from(GarmentEvent)) or 0
            last_id = s.scalar(select(func.max(GarmentEvent.id))) or 0
    finally:
        engine.dispose()
    if not codes or not stores or partner is None:
        raise SystemExit("the demo data has no garments, stores or rental partner to work with")
    return World(codes, stores, outlet, partner), events, last_id


def discover(client: Client, world: World) -> None:
    """Use the batch, scan and report endpoints when the API has them (they land with later work)."""
    status, doc = client.call("GET", "/api/v1/openapi.json")
    paths = set((doc or {}).get("paths", {})) if status == 200 else set()
    if "/api/v1/actions/batch" in paths:
        world.batch_path = "/api/v1/actions/batch"
    if "/api/v1/scans" in paths:
        world.scan_path = "/api/v1/scans"
    if client.call("GET", "/api/v1/reports/rental-quality")[0] == 200:
        world.report_path = "/api/v1/reports/rental-quality"


def settle(tally: Tally, write: Write, status: int, answer: Any) -> None:
    """Record how an in-doubt write ended once it was sent again with its key."""
    with tally.lock:
        write.settled = True
        if status == 200:
            write.answer = answer
            tally.acknowledged.append(write)
            tally.in_doubt_outcomes["acknowledged on resend"] += 1
        elif status == 409:
            # not written before the crash, and the garment has moved on since: refused, cleanly
            tally.in_doubt_outcomes["refused on resend (not written)"] += 1
        else:
            tally.in_doubt_outcomes[f"HTTP {status} on resend"] += 1
            if status >= 500:
                tally.server_errors.append(f"resend POST {write.path} → {status}")


def resolve_in_doubt(port: int, token: str, tally: Tally) -> None:
    """Send every write still in doubt at the end (its client ran out of time) once more."""
    client = Client(port, token)
    for write in [w for w in tally.in_doubt if not w.settled]:
        status, answer = client.call("POST", write.path, write.body, {"Idempotency-Key": write.key})
        settle(tally, write, status, answer)
    client.close()


def acknowledged_events(tally: Tally) -> tuple[dict[int, tuple[str, int, str]], Counter[tuple[str, str]]]:
    """Every write a client saw acknowledged: single actions as event id → (code, version,
    action); batch lines (their answer names no event id) as a multiset of (code, action)."""
    singles: dict[int, tuple[str, int, str]] = {}
    batched: Counter[tuple[str, str]] = Counter()
    for write in tally.acknowledged:
        a = write.answer
        if write.kind == "action" and isinstance(a, dict) and isinstance(a.get("event_id"), int):
            singles[a["event_id"]] = (a.get("code"), a.get("version"), a.get("action"))
        elif write.kind == "batch" and isinstance(a, dict):
            for line in a.get("results") or []:
                if isinstance(line, dict) and line.get("outcome") == "applied":
                    batched[(line.get("code"), a.get("action"))] += 1
    return singles, batched


def verify_ledger(url: str, last_id_before: int, acked: dict[int, tuple[str, int, str]],
                  batched: Counter[tuple[str, str]], actor_email: str) -> dict[str, int]:
    from sqlalchemy import select

    from cksloop.db.models import Garment, GarmentEvent, User
    from cksloop.db.session import make_engine, make_session_factory

    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            actor_id = s.scalar(select(User.id).where(User.email == actor_email))
            rows = s.execute(select(GarmentEvent.id, Garment.code, GarmentEvent.seq, GarmentEvent.action,
                                    GarmentEvent.actor_id)
                             .join(Garment, Garment.id == GarmentEvent.garment_id)
                             .where(GarmentEvent.id > last_id_before)).all()
    finally:
        engine.dispose()
    ledger = {r.id: (r.code, r.seq, r.action.value) for r in rows if r.actor_id == actor_id}
    lost = [eid for eid in acked if eid not in ledger]
    wrong = [eid for eid, fact in acked.items() if eid in ledger and ledger[eid] != tuple(fact)]
    # events not named by a single action's answer must be exactly the acknowledged batch lines
    rest = Counter((code, action) for eid, (code, _seq, action) in ledger.items() if eid not in acked)
    return {"events written by the load": len(ledger),
            "acknowledged writes": len(acked) + sum(batched.values()),
            "of which in batches": sum(batched.values()),
            "lost (acknowledged, not in ledger)": len(lost) + sum((batched - rest).values()),
            "different from what was acknowledged": len(wrong),
            "in ledger but never acknowledged": sum((rest - batched).values())}


def run_check(env: dict[str, str]) -> tuple[int, str]:
    done = subprocess.run([_bin("cksloop"), "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    return done.returncode, (done.stdout + done.stderr).strip()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    data = sorted(values)
    return data[min(len(data) - 1, int(p / 100 * len(data)))]


def make_database(use_postgresql: bool, instance: Path) -> tuple[str, Any]:
    """The database URL, and a clean-up function."""
    if not use_postgresql:
        return f"sqlite:///{instance / 'cksloop.sqlite3'}", lambda: None
    from sqlalchemy import create_engine, text

    name = f"cksloop_crash_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", drop


def run(mode: str, duration: float, clients: int, workers: int, max_requests: int, garments: int,
        seed: int, use_postgresql: bool, keep: bool, say: Any = print,
        demo_garments: int = 400) -> dict[str, Any]:
    """Set up, drive the workload (crashing the server in crash mode), check; the figures."""
    duration = min(max(duration, 5.0), MAX_DURATION)
    max_requests = min(max_requests, MAX_REQUESTS)
    instance = Path(tempfile.mkdtemp(prefix="cksloop-crash-"))
    url, drop_database = make_database(use_postgresql, instance)
    env = {**os.environ, "CKSLOOP_INSTANCE_PATH": str(instance), "CKSLOOP_DATABASE_URL": url,
           "CKSLOOP_SECRET_KEY": uuid.uuid4().hex, "CKSLOOP_BASE_URL": "http://127.0.0.1"}
    env.pop("FLASK_APP", None)
    server = None
    try:
        t0 = time.monotonic()
        run_cli(env, "db", "upgrade")
        run_cli(env, "demo-data", "--garments", str(demo_garments))
        run_cli(env, "users", "create", "--email", LOAD_EMAIL, "--role", "admin", "--name", "Load robot",
                "--password-stdin", stdin=uuid.uuid4().hex + "\n")
        token = run_cli(env, "tokens", "create", "--email", LOAD_EMAIL, "--label", "crash/load").strip().split()[-1]
        world, events_before, last_id = read_world(url, garments)
        say(f"set-up: {len(world.codes)} garments to work on, {events_before} events in the ledger "
            f"({time.monotonic() - t0:.1f} s)")
        port = free_port()
        server = Server(env, port, workers, instance / "gunicorn.log")
        server.start()
        server.wait_ready(token)
        discover(Client(port, token), world)
        tally = Tally()
        server_up = threading.Event()
        server_up.set()
        budget = threading.Semaphore(max_requests)
        rng = random.Random(seed)
        shuffled = world.codes[:]
        rng.shuffle(shuffled)
        started = time.monotonic()
        deadline = started + duration
        threads = [Worker(i, port, token, world, shuffled[i::clients] or shuffled, tally, deadline,
                          budget, seed + i, server_up) for i in range(clients)]
        for t in threads:
            t.start()
        crash: dict[str, Any] = {}
        if mode == "crash":
            time.sleep(duration / 2)
            server_up.clear()
            crash["requests before the kill"] = tally.requests
            crash["acknowledged writes before the kill"] = len(tally.acknowledged)
            server.kill()
            killed = time.monotonic()
            say(f"SIGKILL to gunicorn at {killed - started:.1f} s after {tally.requests} requests")
            time.sleep(1.0)
            server.start()
            crash["restart to ready (s)"] = round(server.wait_ready(token), 2)
            crash["downtime (s)"] = round(time.monotonic() - killed, 2)
            server_up.set()
            say(f"restarted, serving again after {crash['downtime (s)']} s")
        for t in threads:
            t.join(timeout=duration + 300)
        elapsed = time.monotonic() - started
        resolve_in_doubt(port, token, tally)
        server.stop()
        check_status, check_output = run_check(env)
        acked, batched = acknowledged_events(tally)
        ledger = verify_ledger(url, last_id, acked, batched, LOAD_EMAIL)
        five_xx = sum(n for status, n in tally.statuses.items() if status >= 500)
        figures: dict[str, Any] = {
            "mode": mode, "database": "postgresql" if use_postgresql else "sqlite",
            "clients": clients, "gunicorn workers": workers, "seconds": round(elapsed, 1),
            "requests": tally.requests, "requests/s": round(tally.requests / elapsed, 1) if elapsed else 0,
            "p50 ms": round(percentile(tally.latencies_ms, 50), 1),
            "p95 ms": round(percentile(tally.latencies_ms, 95), 1),
            "p99 ms": round(percentile(tally.latencies_ms, 99), 1),
            "by kind": dict(sorted(tally.by_kind.items())),
            "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
            "5xx": five_xx, "connection errors": tally.connection_errors,
            "in doubt after crash": len(tally.in_doubt), "in doubt resolved": dict(tally.in_doubt_outcomes),
            "retries with the same key → same answer": tally.retries_same_answer,
            "retries with the same key → other answer": tally.retries_different_answer,
            "unexpected 4xx": len(tally.unexpected),
            **crash, **ledger,
            **({"acknowledged writes after the restart":
                len(tally.acknowledged) - crash["acknowledged writes before the kill"]} if crash else {}),
            "cksloop check exit": check_status,
            "check": check_output.splitlines()[-3:],
        }
        problems = []
        if check_status != 0:
            problems.append("cksloop check failed")
        if five_xx:
            problems.append(f"{five_xx} answers were 5xx")
        if ledger["lost (acknowledged, not in ledger)"] or ledger["different from what was acknowledged"]:
            problems.append("acknowledged writes are missing or different in the ledger")
        if ledger["in ledger but never acknowledged"]:
            problems.append("the ledger holds writes no client was told about")
        if tally.retries_different_answer:
            problems.append("a retried Idempotency-Key got a different answer")
        if tally.unexpected:
            problems.append(f"{len(tally.unexpected)} unexpected 4xx answers to valid writes")
        if not acked and not batched:
            problems.append("no write was acknowledged at all")
        figures["problems"] = problems
        figures["samples"] = (tally.server_errors[:5] + tally.unexpected[:5])
        if keep:
            figures["instance"] = str(instance)
        return figures
    finally:
        if server is not None:
            server.stop()
        if not keep:
            shutil.rmtree(instance, ignore_errors=True)
            drop_database()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["crash", "load"], default="crash")
    parser.add_argument("--duration", type=float, default=None,
                        help="seconds of workload (default 60 for crash, 180 for load; at most 900)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent API clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--garments", type=int, default=300, help="garments the clients work on")
    parser.add_argument("--demo-garments", type=int, default=400, help="garments `cksloop demo-data` makes")
    parser.add_argument("--max-requests", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--postgresql", action="store_true",
                        help=f"a temporary database on {PG_ADMIN_URL.rsplit('/', 1)[0]} instead of SQLite")
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance to look at")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    duration = args.duration if args.duration is not None else (60 if args.mode == "crash" else 180)
    figures = run(args.mode, duration, max(1, min(args.clients, 64)), max(1, min(args.workers, 8)),
                  args.max_requests, args.garments, args.seed, args.postgresql, args.keep,
                  demo_garments=args.demo_garments)
    for key, value in figures.items():
        print(f"{key:>45}: {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print("PASS" if not figures["problems"] else "FAIL: " + "; ".join(figures["problems"]))
    return 0 if not figures["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
