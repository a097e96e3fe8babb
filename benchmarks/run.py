"""Benchmark cksloop at chain scale against the bare-framework limit, on SQLite and PostgreSQL.

For each database and dataset size: generate (or reuse) a seeded synthetic chain, serve the real
app under gunicorn on 127.0.0.1 exactly as the README's production section says, serve a bare
Flask route of the same page size under the same settings, drive both with concurrent clients and
write every figure to benchmarks/RESULTS.md (``--tiny``: a small smoke run for CI, results to a
temporary file).

    python benchmarks/run.py                          # 100k and 1M garments, SQLite and PostgreSQL
    python benchmarks/run.py --sizes 100000 --databases sqlite --duration 5
    python benchmarks/run.py --tiny                   # what CI runs
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import buyers_bench, load, overstock_bench, wrk  # noqa: E402
from benchmarks.generate import generate  # noqa: E402
from cksloop.db import migrate  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "bench-password-1"
GUNICORN_WORKERS = 2  # as the README's production section

SCAN, PAGE, WRITE = "scan resolve (POST /api/v1/scans)", "garment page (HTML)", "lifecycle action (API write)"
SEARCH, BATCH, ANALYTICS = "garment search with filters", "batch of 200 garments", "rental quality analytics page"
PDF, ZPL = "1,000-label PDF", "1,000 ZPL labels"
CHARTER = "charter report for a year (HTML)"
PASSPORT = "public passport page (HTML, anonymous)"
OVERSTOCK_API = "overstock review (GET /api/v1/overstock)"
OVERSTOCK_XLSX = "overstock review export (XLSX)"
DISCLOSURE = "unsold-goods disclosure for a year (HTML)"
#: the scenarios wrk drives, each measured against the bare route at the same concurrency
RATIOED = (SCAN, PAGE, WRITE, SEARCH, PASSPORT)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- datasets ---------------------------------------------------------------------------------

def dataset_url(database: str, size: int, fresh: bool) -> str:
    """A database with the seeded dataset of ``size`` garments, copied so runs start alike."""
    marker = f"g{size}-s42-v9"
    if database == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        master = DATA / f"{marker}.sqlite3"
        if fresh or not master.exists():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{master}{suffix}").unlink(missing_ok=True)
            # generated under another name and renamed when complete: an interrupted run must
            # not leave a half-filled dataset that the next run would take as cached
            partial = DATA / f"{marker}.partial.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{partial}{suffix}").unlink(missing_ok=True)
            totals = generate(f"sqlite:///{partial}", size)
            print(f"  generated {size:,} garments on SQLite: {json.dumps(totals)}", flush=True)
            for suffix in ("", "-wal", "-shm"):  # generate() closed it; move whatever SQLite left
                if Path(f"{partial}{suffix}").exists():
                    Path(f"{partial}{suffix}").rename(f"{master}{suffix}")
            (DATA / f"{marker}.sqlite3.json").write_text(json.dumps(totals))
        run_copy = DATA / f"run-{marker}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{run_copy}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(master, run_copy)
        migrate.upgrade(f"sqlite:///{run_copy}")  # a dataset cached before a newer migration
        return f"sqlite:///{run_copy}"
    import psycopg

    name, run_name = f"cksloop_bench_{marker.replace('-', '_')}", f"cksloop_benchrun_{size}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if fresh or not exists:
            # as on SQLite: filled under another name, renamed when complete
            partial = f"{name}_partial"
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'DROP DATABASE IF EXISTS "{partial}"')
            conn.execute(f'CREATE DATABASE "{partial}"')
            totals = generate(f"postgresql+psycopg://postgres@127.0.0.1:5432/{partial}", size)
            conn.execute(f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
            print(f"  generated {size:,} garments on PostgreSQL: {json.dumps(totals)}", flush=True)
            (DATA / f"{marker}.postgresql.json").parent.mkdir(parents=True, exist_ok=True)
            (DATA / f"{marker}.postgresql.json").write_text(json.dumps(totals))
        conn.execute(f'DROP DATABASE IF EXISTS "{run_name}"')
        conn.execute(f'CREATE DATABASE "{run_name}" TEMPLATE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{run_name}"
    migrate.upgrade(url)
    # This machine's PostgreSQL runs with autovacuum off (a CI setting); a server runs it, and after a
    # migration that rewrote every garment row it would have vacuumed within a minute. Without it no
    # page is marked all-visible and every index-only count reads the table too (the charter report
    # at 1M: 2.6 s instead of 1.4 s), which measures the setting, not the app.
    with psycopg.connect(f"{PG_ADMIN.rsplit('/', 1)[0]}/{run_name}", autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return url


def generation_seconds(database: str, size: int) -> float | None:
    path = DATA / f"g{size}-s42-v9.{'sqlite3' if database == 'sqlite' else 'postgresql'}.json"
    return json.loads(path.read_text()).get("seconds") if path.exists() else None


# --- servers ----------------------------------------------------------------------------------

class Server:
    """gunicorn on loopback, started the way the README's production section says."""

    def __init__(self, app: str, env: dict[str, str], settings: tuple[str, ...] = ("-w", str(GUNICORN_WORKERS)),
                 prefix: tuple[str, ...] = ()):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [*prefix, str(ROOT / ".venv" / "bin" / "gunicorn"), *settings, "-b",
             f"127.0.0.1:{self.port}", "--log-level", "warning", app],
            cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{app} did not start")

    def worker_rss_mb(self) -> list[float]:
        out = []
        children = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        for pid in children.split():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out.append(round(int(line.split()[1]) / 1024, 1))
            except OSError:
                continue
        return out

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)


# --- scenarios --------------------------------------------------------------------------------

def _codes(url: str, query: str, limit: int) -> list[str]:
    """Garment codes for a scenario, read straight from the database before the run."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text(query + f" LIMIT {limit}"))]
    engine.dispose()
    return rows


def scans_of(sample: list[str]) -> Any:
    """The scan scenario: each client scans labels of the sample in its own random order."""
    def scan(i: int, c: int) -> Iterator[load.Request]:
        r = random.Random(i)
        while True:
            code = r.choice(sample)
            yield load.json_request("POST", "/api/v1/scans", {"payload": f"https://loop.cks.example/g/{code}"})
    return scan


def pages_of(sample: list[str]) -> Any:
    """The garment page scenario: each client opens pages of the sample in its own random order."""
    def page(i: int, c: int) -> Iterator[load.Request]:
        r = random.Random(i)
        while True:
            yield "GET", f"/garments/{r.choice(sample)}", {}, None
    return page


def bench_dataset(database: str, size: int, *, duration: float, fresh: bool, tiny: bool) -> dict[str, Any]:
    url = dataset_url(database, size, fresh)
    instance = Path(tempfile.mkdtemp(prefix="cksloop-bench-"))
    env = {"CKSLOOP_DATABASE_URL": url, "CKSLOOP_INSTANCE_PATH": str(instance),
           "CKSLOOP_SECRET_KEY": "bench-" + os.urandom(8).hex(), "CKSLOOP_BASE_URL": "https://loop.cks.example"}
    token = _make_token(url)
    n = max(1, size)
    rng = random.Random(7)
    sample = [f"CKS-{rng.randint(1, n):07d}" for _ in range(5000)]
    pool = _codes(url, "SELECT code FROM garments WHERE state = 'in_rental_pool' ORDER BY id", 4000)
    # in stock at stores other than the two the batches move them between
    stock_rows = _codes(url, "SELECT code FROM garments WHERE state = 'in_stock' AND location_id > 2 "
                             "AND location_id <= 60 ORDER BY id", 200 * 12)
    results: dict[str, Any] = {"database": database, "garments": size}
    app = Server("cksloop:create_app()", env)
    try:
        session_auth = {"email": "bench-admin@cks.example", "password": PASSWORD}
        bearer = {"token": token}
        results["page_bytes"] = _page_size(app.port, session_auth, sample[:50])
        results["generation_s"] = generation_seconds(database, size)
        runs: list[dict[str, Any]] = []
        warm_pairs = 4  # pool garments the write warm-up uses, kept out of the measured lists

        scan, page = scans_of(sample), pages_of(sample)

        def passport(i: int, c: int) -> Iterator[load.Request]:
            # what a scanned label opens for a customer: no session, the phone's language
            r = random.Random(i)
            while True:
                yield "GET", f"/g/{r.choice(sample)}", {"Accept-Language": r.choice(["nl", "fr", "en"])}, None

        def action(i: int, c: int) -> Iterator[load.Request]:
            # each concurrency level works on its own half of the pool, each client on its own
            # slice; check-out and return alternate per garment, so the list can cycle anywhere
            half = pool[warm_pairs:len(pool) // 2] if c == 1 else pool[len(pool) // 2:]
            mine = half[i::c]
            due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
            while True:
                for code in mine:
                    yield load.json_request("POST", f"/api/v1/garments/{code}/actions",
                                            {"action": "check_out_rental", "partner": 1, "due_on": due})
                    yield load.json_request("POST", f"/api/v1/garments/{code}/actions",
                                            {"action": "return_rental", "reason": "end_of_rental",
                                             "grade": "A", "defects": []})

        def search(i: int, c: int) -> Iterator[load.Request]:
            r = random.Random(i)
            while True:
                yield ("GET", f"/garments?state=in_stock&location=ST-{r.randint(1, 60):03d}"
                              f"&season={r.choice(['SS25', 'AW25', 'SS26'])}", {}, None)

        def batch(i: int, c: int) -> Iterator[load.Request]:
            groups = [stock_rows[k:k + 200] for k in range(0, len(stock_rows), 200) if len(stock_rows[k:k + 200]) == 200]
            if not groups:
                raise RuntimeError("the dataset has too few garments in stock for a 200-garment batch")
            while True:
                for group in groups:
                    yield load.json_request("POST", "/api/v1/actions/batch",
                                            {"action": "transfer", "codes": group, "to_location": "ST-002"})
                for group in groups:
                    yield load.json_request("POST", "/api/v1/actions/batch",
                                            {"action": "transfer", "codes": group, "to_location": "ST-001"})

        def analytics(i: int, c: int) -> Iterator[load.Request]:
            while True:
                yield "GET", "/reports/rental-quality", {}, None

        # the generated ledger runs up to today: this year's report reads a full set of figures
        charter_year = dt.date.today().year

        def charter(i: int, c: int) -> Iterator[load.Request]:
            while True:
                yield "GET", f"/reports/charter?year={charter_year}", {}, None

        def overstock_api(i: int, c: int) -> Iterator[load.Request]:
            while True:  # the latest collection with stock, as of today
                yield "GET", "/api/v1/overstock", {}, None

        def overstock_xlsx(i: int, c: int) -> Iterator[load.Request]:
            while True:
                yield "GET", "/overstock.xlsx", {}, None

        def disclosure(i: int, c: int) -> Iterator[load.Request]:
            while True:
                yield "GET", f"/reports/unsold-disclosure?year={charter_year}", {}, None

        labels_codes = sample[:1000]

        def labels(fmt: str):
            def gen(i: int, c: int) -> Iterator[load.Request]:
                while True:
                    yield load.json_request("POST", "/api/v1/labels", {"codes": labels_codes, "layout": "a4-3x8",
                                                                       "format": fmt, "start_at": 1})
            return gen

        events_before = _count(url, "garment_events")
        cookie = _session_cookie(app.port, session_auth)
        bearer_headers = {"Authorization": f"Bearer {token}"}
        warm_statuses = _warm_up_writes(app.port, token, pool[:warm_pairs])
        for c in (1, 8):
            runs.append(wrk.run("scan resolve (POST /api/v1/scans)", port=app.port, scenario=scan,
                                concurrency=c, duration=duration, headers=bearer_headers))
            runs.append(wrk.run("garment page (HTML)", port=app.port, scenario=page, concurrency=c,
                                duration=duration, headers={"Cookie": cookie}))
            # a retired or written-off garment's label answers 410 Gone by design
            runs.append(wrk.run(PASSPORT, port=app.port, scenario=passport, concurrency=c, duration=duration,
                                ok=(200, 410)))
            runs.append(wrk.run("lifecycle action (API write)", port=app.port, scenario=action, concurrency=c,
                                duration=duration, headers=bearer_headers, warmup=0, idempotent=True))
            runs.append(wrk.run("garment search with filters", port=app.port, scenario=search, concurrency=c,
                                duration=duration, headers={"Cookie": cookie}))
        acknowledged = warm_statuses.get(200, 0) + sum(
            r["statuses"].get(200, 0) + r["warmup_statuses"].get(200, 0)
            for r in runs if r["name"].startswith("lifecycle"))
        written = _count(url, "garment_events") - events_before
        results["writes_acknowledged"], results["writes_in_ledger"] = acknowledged, written
        few = 2 if tiny else 10
        slow: list[load.Result] = []
        slow.append(load.run("batch of 200 garments", port=app.port, scenario=batch, concurrency=1,
                             duration=duration * 3, max_requests=few, auth=bearer, warmup=0))
        slow.append(load.run("rental quality analytics page", port=app.port, scenario=analytics, concurrency=1,
                             duration=duration * 3, max_requests=few, auth=session_auth))
        slow.append(load.run(CHARTER, port=app.port, scenario=charter, concurrency=1,
                             duration=duration * 3, max_requests=few, auth=session_auth))
        slow.append(load.run(OVERSTOCK_API, port=app.port, scenario=overstock_api, concurrency=4,
                             duration=duration * 3, max_requests=few, auth=bearer))
        slow.append(load.run(OVERSTOCK_XLSX, port=app.port, scenario=overstock_xlsx, concurrency=1,
                             duration=duration * 3, max_requests=min(few, 5), auth=session_auth))
        slow.append(load.run(DISCLOSURE, port=app.port, scenario=disclosure, concurrency=1,
                             duration=duration * 3, max_requests=few, auth=session_auth))
        slow.append(load.run("1,000-label PDF", port=app.port, scenario=labels("pdf"), concurrency=1,
                             duration=duration * 6, max_requests=min(few, 3), auth=bearer, warmup=1))
        slow.append(load.run("1,000 ZPL labels", port=app.port, scenario=labels("zpl"), concurrency=1,
                             duration=duration * 3, max_requests=few, auth=bearer, warmup=1))
        runs += [r.summary() for r in slow]
        runs += overstock_bench.measure(url, units=50 if tiny else 2000, runs=2 if tiny else 3)
        runs += buyers_bench.measure(url, units=50 if tiny else 2000, runs=2 if tiny else 3)
        results["worker_rss_mb"] = app.worker_rss_mb()
    finally:
        app.stop()
    # after the server's runs: its writes leave garments rented out that the scenarios above use
    results["in_process"] = in_process(url, size, n=20 if tiny else 300)
    results["worker_settings"] = worker_settings(env, token, session_auth, sample, duration=duration,
                                                 page_bytes=results["page_bytes"])
    bare = Server("benchmarks.bare_app:create_app()", {"BARE_PAGE_BYTES": str(results["page_bytes"])})
    try:
        bare_runs = [wrk.run("bare Flask route", port=bare.port, concurrency=c, duration=duration,
                             scenario=lambda i, c: iter(lambda: ("GET", "/bare", {}, None), None))
                     for c in (1, 8)]
    finally:
        bare.stop()
    results["runs"] = bare_runs + runs
    shutil.rmtree(instance, ignore_errors=True)
    return results


#: gunicorn settings besides the README's two sync workers, to tell users which to run (issue 19)
WORKER_SETTINGS = {"4 sync workers": ("-w", "4"),
                   "2 gthread workers × 4 threads": ("-w", "2", "--worker-class", "gthread", "--threads", "4")}


def worker_settings(env: dict[str, str], token: str, auth: dict[str, str], sample: list[str], *,
                    duration: float, page_bytes: int) -> list[dict[str, Any]]:
    """The scan, the garment page and the bare route at c8 under each of WORKER_SETTINGS (reads
    only: the write runs above leave their garments where a new write run could not start)."""
    rows: list[dict[str, Any]] = []
    scan, page = scans_of(sample), pages_of(sample)
    plans = [(label, settings, ()) for label, settings in WORKER_SETTINGS.items()]
    postmaster = _postmaster_pid() if env["CKSLOOP_DATABASE_URL"].startswith("postgresql") else None
    if postmaster is not None and (os.cpu_count() or 1) >= 2:
        # as a chain-wide server would run: the app and the database on cores of their own
        plans.append((PINNED, ("-w", str(GUNICORN_WORKERS)), ("taskset", "-c", "0")))
    for label, settings, prefix in plans:
        if prefix and postmaster is not None and not _pin(postmaster, "1"):  # new backends inherit it
            continue  # not allowed to pin here: that row is left out
        try:
            rows += _reads_under(label, settings, prefix, env, token, auth, duration, page_bytes, scan, page)
        finally:
            if prefix and postmaster is not None:
                _pin(postmaster, f"0-{(os.cpu_count() or 2) - 1}")
    return rows


PINNED = "2 sync workers on core 0, PostgreSQL on core 1"


def _postmaster_pid() -> int | None:
    """The local PostgreSQL server's process (Debian's layout), or None."""
    for pidfile in sorted(Path("/var/run/postgresql").glob("*.pid")):
        try:
            return int(pidfile.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return None


def _pin(pid: int, cores: str) -> bool:
    """Pin a process and its threads to ``cores``; False when this machine does not let us."""
    try:
        done = subprocess.run(["taskset", "-a", "-p", "-c", cores, str(pid)], capture_output=True)
    except FileNotFoundError:
        return False
    return done.returncode == 0


def _reads_under(label: str, settings: tuple[str, ...], prefix: tuple[str, ...], env: dict[str, str], token: str,
                 auth: dict[str, str], duration: float, page_bytes: int, scan: Any, page: Any) -> list[dict[str, Any]]:
    """The scan and the page at c8 under one gunicorn setting, and the bare route under the same."""
    server = Server("cksloop:create_app()", env, settings, prefix)
    try:
        cookie = _session_cookie(server.port, auth)
        runs = [wrk.run(SCAN, port=server.port, scenario=scan, concurrency=8, duration=duration,
                        headers={"Authorization": f"Bearer {token}"}),
                wrk.run(PAGE, port=server.port, scenario=page, concurrency=8, duration=duration,
                        headers={"Cookie": cookie})]
    finally:
        server.stop()
    bare = Server("benchmarks.bare_app:create_app()", {"BARE_PAGE_BYTES": str(page_bytes)}, settings, prefix)
    try:
        runs.append(wrk.run("bare Flask route", port=bare.port, concurrency=8, duration=duration,
                            scenario=lambda i, c: iter(lambda: ("GET", "/bare", {}, None), None)))
    finally:
        bare.stop()
    return [{**run, "settings": label} for run in runs]


#: the hot requests measured one at a time in process (profile_requests.py): time and statements
IN_PROCESS = {"bare": "bare Flask route (through the test client)", "noop": "authenticated API route that does nothing",
              "scan": "scan resolve", "page": "garment page", "passport": "public passport page",
              "write": "lifecycle action (API write)"}


def in_process(url: str, size: int, *, n: int) -> dict[str, Any]:
    """Each hot request's time and SQL statements, one at a time in process against the dataset."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "figures.json"
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "profile_requests.py"), "--url", url,
                        "--garments", str(size), "-n", str(n), "--only", ",".join(IN_PROCESS), "--json", str(out)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text())


def _session_cookie(port: int, auth: dict[str, str]) -> str:
    """A signed-in browser session's Cookie header, shared by the wrk connections (like tabs)."""
    session = load.Session("127.0.0.1", port)
    session.sign_in(auth["email"], auth["password"])
    return "; ".join(f"{k}={v}" for k, v in session.cookies.items())


def _warm_up_writes(port: int, token: str, codes: list[str]) -> dict[int, int]:
    """A few check-outs and returns before the measured writes (worker caches, compiled SQL)."""
    session = load.Session("127.0.0.1", port, token=token)
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    statuses: dict[int, int] = {}
    for code in codes:
        for body in ({"action": "check_out_rental", "partner": 1, "due_on": due},
                     {"action": "return_rental", "reason": "end_of_rental", "grade": "A", "defects": []}):
            status, _ = session.request("POST", f"/api/v1/garments/{code}/actions",
                                        {"Content-Type": "application/json"}, json.dumps(body).encode())
            statuses[status] = statuses.get(status, 0) + 1
    return statuses


def _page_size(port: int, auth: dict[str, str], codes: list[str]) -> int:
    """The mean size of the garment pages the page scenario asks for (they differ by state)."""
    session = load.Session("127.0.0.1", port)
    session.sign_in(auth["email"], auth["password"])
    sizes = []
    for code in codes:
        status, body = session.request("GET", f"/garments/{code}")
        if status != 200:
            raise RuntimeError(f"garment page answered {status}")
        sizes.append(len(body))
    return round(sum(sizes) / len(sizes))


def _count(url: str, table: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
    engine.dispose()
    return n


def _make_token(url: str) -> str:
    from cksloop.db.session import make_engine, make_session_factory
    from cksloop.services import tokens

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        token = tokens.create_token(session, email="bench-admin@cks.example", label="benchmark",
                                    now=dt.datetime.now(dt.UTC))
    engine.dispose()
    return token


# --- report -----------------------------------------------------------------------------------

def machine() -> dict[str, str]:
    versions = {p: metadata.version(p) for p in ("flask", "sqlalchemy", "gunicorn", "psycopg")}
    pg = ""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN) as conn:
            pg = conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 — reported as unknown
        pg = "unknown"
    import sqlite3

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpu": cpu, "cores": str(os.cpu_count()), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "postgresql": pg,
            **{k: v for k, v in versions.items()}}


def render(all_results: list[dict[str, Any]], info: dict[str, str], args: argparse.Namespace, *,
           when: str) -> str:
    lines = ["# Benchmark results", "",
             f"Run {when} UTC with `python benchmarks/run.py "
             f"--sizes {args.sizes} --databases {args.databases} --duration {args.duration}`.", "",
             "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()) + ".", "",
             f"Server: gunicorn, {GUNICORN_WORKERS} sync workers, 127.0.0.1, as in the README. "
             "Clients on the same machine, keep-alive connections, signed in (browser session for HTML "
             "pages, bearer token for the API): wrk (one thread and one connection per concurrent "
             "client) for the bare route, scan, garment page, public passport (anonymous), write and search; the Python client "
             "(benchmarks/load.py, one process per client) for batches, analytics and labels. The bare Flask "
             "route returns a page of the garment pages' mean size under the same gunicorn settings.", ""]
    for res in all_results:
        bare = {r["concurrency"]: r["rps"] for r in res["runs"] if r["name"] == "bare Flask route"}
        gen = res.get("generation_s")
        lines += [f"## {res['database']}, {res['garments']:,} garments", "",
                  f"Dataset generated in {gen} s. Garment pages {res['page_bytes']:,} bytes on average. "
                  f"Worker RSS after the run: {res.get('worker_rss_mb')} MB. Writes acknowledged "
                  f"{res['writes_acknowledged']}, events added to the ledger {res['writes_in_ledger']} "
                  f"(the difference: requests in flight when a timed run stopped, done but unanswered).", "",
                  "| work | c | requests | errors | req/s | % of bare | p50 ms | p95 ms | p99 ms |",
                  "| --- | --: | --: | --: | --: | --: | --: | --: | --: |"]
        for r in res["runs"]:
            ratio = f"{100 * r['rps'] / bare[r['concurrency']]:.0f}%" if r["concurrency"] in bare and \
                r["name"] in RATIOED else ""
            lines.append(f"| {r['name']} | {r['concurrency']} | {r['requests']} | {r['errors']} | {r['rps']} | "
                         f"{ratio} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} |")
        lines.append("")
        if res.get("worker_settings"):
            lines += ["Other gunicorn settings, c8, wrk (reads only), each beside the bare route under the same "
                      "settings:", "", "| settings | work | req/s | % of bare | p95 ms | errors |",
                      "| --- | --- | --: | --: | --: | --: |"]
            for label in dict.fromkeys(r["settings"] for r in res["worker_settings"]):
                group = [r for r in res["worker_settings"] if r["settings"] == label]
                bare_rps = next((r["rps"] for r in group if r["name"] == "bare Flask route"), None)
                for r in group:
                    share = f"{100 * r['rps'] / bare_rps:.0f}%" if bare_rps and r["name"] != "bare Flask route" else ""
                    lines.append(f"| {label} | {r['name']} | {r['rps']} | {share} | {r['p95_ms']} | {r['errors']} |")
            lines.append("")
        if res.get("in_process"):
            lines += ["In process (Flask's test client, one request at a time, `benchmarks/profile_requests.py`): "
                      "time and SQL statements per request (on SQLite the app's own BEGIN counts as one), and how long a write's "
                      "transaction lasts (on SQLite: the write lock held). The first row is the test client's own cost.", "",
                      "| request | mean ms | p50 ms | statements | write transaction ms |", "| --- | --: | --: | --: | --: |"]
            for key, name in IN_PROCESS.items():
                fig = res["in_process"].get(key)
                if fig:
                    lines.append(f"| {name} | {fig['mean_ms']} | {fig['p50_ms']} | {fig['statements']} | "
                                 f"{fig.get('write_transaction_ms', '')} |")
            lines.append("")
    lines += growth(all_results)
    lines += targets(all_results)
    return "\n".join(lines) + "\n"


def _run(res: dict[str, Any], name: str, c: int = 1) -> dict[str, Any] | None:
    return next((r for r in res["runs"] if r["name"] == name and r["concurrency"] == c), None)


def _ratio(res: dict[str, Any], name: str) -> float | None:
    run, bare = _run(res, name, 8), _run(res, "bare Flask route", 8)
    return 100 * run["rps"] / bare["rps"] if run and bare and bare["rps"] else None


def _check(value: float | None, limit: float, unit: str, *, at_least: bool = False) -> str:
    if value is None:
        return "not measured"
    met = value >= limit if at_least else value < limit
    shown = f"{value:,.0f}{unit}" if value >= 100 else f"{value:.1f}{unit}"
    return f"{'met' if met else '**not met**'}: {shown}"


def _extremes(all_results: list[dict[str, Any]]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Each database's smallest and largest dataset (the same one if it ran only one size)."""
    out: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for database in dict.fromkeys(r["database"] for r in all_results):
        sized = sorted((r for r in all_results if r["database"] == database), key=lambda r: r["garments"])
        out[database] = (sized[0], sized[-1])
    return out


def _pairs(small: dict[str, Any], large: dict[str, Any], names: Iterable[str]
           ) -> Iterator[tuple[str, int, dict[str, Any], dict[str, Any]]]:
    """The runs of ``names`` at concurrency 1 and 8 measured on both datasets, side by side."""
    for name in names:
        for c in (1, 8):
            a, b = _run(small, name, c), _run(large, name, c)
            if a and b and a["p50_ms"] and a["rps"]:
                yield name, c, a, b


def _growth(small: dict[str, Any], large: dict[str, Any]) -> str:
    if small is large:
        return "needs two sizes"
    changes = [100 * (b["p50_ms"] / a["p50_ms"] - 1) for _, _, a, b in _pairs(small, large, (SCAN, WRITE))]
    if not changes:
        return "not measured"
    worst = max(changes)
    return f"{'met' if worst <= 20 else '**not met**'}: at most {worst:+.0f}% (p50)"


def lost_writes(res: dict[str, Any]) -> bool:
    """Whether acknowledged writes are missing from the ledger. It may hold up to one write more
    per client than was acknowledged: a request in flight when wrk stopped is done, unanswered."""
    return not 0 <= res["writes_in_ledger"] - res["writes_acknowledged"] <= 1 + 8


def _writes(res: dict[str, Any]) -> str:
    errors = sum(r["errors"] for r in res["runs"] if r["name"] == WRITE)
    lost = lost_writes(res)
    ok = not errors and not lost
    return (f"{'met' if ok else '**not met**'}: {errors} errors, "
            f"{'writes lost' if lost else 'none lost'} ({res['writes_acknowledged']:,} acknowledged)")


def _goal(res: dict[str, Any], sqlite: float, postgresql: float) -> float:
    """Issue 19 sets its goals per database."""
    return sqlite if res["database"] == "sqlite" else postgresql


def _noop_ms(res: dict[str, Any]) -> float | None:
    """The no-op API route's own time in process: its mean less the test client's on a bare route."""
    figures = res.get("in_process") or {}
    if "noop" not in figures or "bare" not in figures:
        return None
    return round(figures["noop"]["mean_ms"] - figures["bare"]["mean_ms"], 3)


def targets(all_results: list[dict[str, Any]]) -> list[str]:
    """Issue 5's targets, with issue 19's goals for the hot requests, checked against the largest
    dataset of each database."""
    extremes = _extremes(all_results)
    largest = {db: large for db, (_small, large) in extremes.items()}
    if not largest:
        return []
    sizes = ", ".join(f"{db} at {res['garments']:,} garments" for db, res in largest.items())

    def p95(res: dict[str, Any], name: str, c: int = 1) -> float | None:
        run = _run(res, name, c)
        return run["p95_ms"] if run else None

    rows: list[tuple[str, Any]] = [
        ("scan resolve, c8: ≥ 45% (SQLite) / 30% (PostgreSQL) of the bare route's req/s (issue 19)",
         lambda r: _check(_ratio(r, SCAN), _goal(r, 45, 30), "%", at_least=True)),
        ("scan resolve, c8: p95 < 10 ms", lambda r: _check(p95(r, SCAN, 8), 10, " ms")),
        ("garment page, c8: ≥ 20% / 12% of the bare route's req/s (issue 19)",
         lambda r: _check(_ratio(r, PAGE), _goal(r, 20, 12), "%", at_least=True)),
        ("garment page, c8: p95 < 25 ms", lambda r: _check(p95(r, PAGE, 8), 25, " ms")),
        ("passport page (garment page goal), c8: ≥ 20% / 12% of the bare route's req/s",
         lambda r: _check(_ratio(r, PASSPORT), _goal(r, 20, 12), "%", at_least=True)),
        ("passport page (garment page goal), c8: p95 < 25 ms", lambda r: _check(p95(r, PASSPORT, 8), 25, " ms")),
        ("lifecycle action, c8: ≥ 20% / 12% of the bare route's req/s (issue 19)",
         lambda r: _check(_ratio(r, WRITE), _goal(r, 20, 12), "%", at_least=True)),
        ("authenticated no-op API route in process: ≤ 0.25 ms / 0.35 ms, less the test client's own cost (issue 19)",
         lambda r: _check(_noop_ms(r), _goal(r, 0.25, 0.35), " ms")),
        ("lifecycle action: zero errors, zero lost writes", _writes),
        ("batch of 200 garments: < 1 s (p95)", lambda r: _check(p95(r, BATCH), 1000, " ms")),
        ("search with filters: p95 < 100 ms (c8)", lambda r: _check(p95(r, SEARCH, 8), 100, " ms")),
        ("quality analytics page: < 500 ms (p95)", lambda r: _check(p95(r, ANALYTICS), 500, " ms")),
        ("charter report for a year: < 2 s (p95; issue 16)", lambda r: _check(p95(r, CHARTER), 2000, " ms")),
        ("1,000-label PDF: < 5 s (p95)", lambda r: _check(p95(r, PDF), 5000, " ms")),
        ("1,000 ZPL labels: < 1 s (p95)", lambda r: _check(p95(r, ZPL), 1000, " ms")),
        ("overstock review session opens: < 1 s (p95)", lambda r: _check(p95(r, overstock_bench.OPEN), 1000, " ms")),
        ("markdown of a 2,000-garment style: < 2 s (p95)",
         lambda r: _check(p95(r, overstock_bench.MARKDOWN), 2000, " ms")),
        ("GET /api/v1/overstock, c4: p95 < 1 s (issue 13)",
         lambda r: _check(p95(r, OVERSTOCK_API, 4), 1000, " ms")),
        ("overstock review export (XLSX): < 5 s (p95; issue 13)",
         lambda r: _check(p95(r, OVERSTOCK_XLSX), 5000, " ms")),
        ("buyer lot of 2,000 garments declared and confirmed: < 2 s (p95; issue 14)",
         lambda r: _check(p95(r, buyers_bench.LOT), 2000, " ms")),
        ("unsold-goods disclosure for a year: < 2 s (p95; issue 14)",
         lambda r: _check(p95(r, DISCLOSURE), 2000, " ms")),
        ("point operations from the smallest to the largest size: ≤ +20%",
         lambda r: _growth(extremes[r["database"]][0], r)),
        ("each worker < 250 MB resident", lambda r: _check(max(r.get("worker_rss_mb") or [0]) or None, 250, " MB")),
        ("generating the dataset: < 5 minutes on SQLite",
         lambda r: _check(r.get("generation_s"), 300, " s")
         if r["database"] == "sqlite" else "(SQLite only)"),
    ]
    dbs = list(largest)
    lines = ["## Targets (issues 5 and 19), checked", "",
             f"Against {sizes}. The targets are set at 1,000,000 garments.", "",
             "| target | " + " | ".join(dbs) + " |", "| --- |" + " --- |" * len(dbs)]
    for label, check in rows:
        lines.append(f"| {label} | " + " | ".join(check(largest[db]) for db in dbs) + " |")
    return lines + [""]


POINT_OPERATIONS = (SCAN, PAGE, WRITE)


def growth(all_results: list[dict[str, Any]]) -> list[str]:
    """How the point operations' cost grows from the smallest to the largest dataset of a database
    (issue 5: no slower by more than 20 % from 100,000 to 1,000,000 garments)."""
    lines: list[str] = []
    for database, (small, large) in _extremes(all_results).items():
        if small is large:
            continue
        lines += [f"## {database}: from {small['garments']:,} to {large['garments']:,} garments", "",
                  f"| work | c | p50 ms at {small['garments']:,} | at {large['garments']:,} | change | "
                  f"req/s at {small['garments']:,} | at {large['garments']:,} | change |",
                  "| --- | --: | --: | --: | --: | --: | --: | --: |"]
        for name, c, a, b in _pairs(small, large, POINT_OPERATIONS):
            lines.append(f"| {name} | {c} | {a['p50_ms']} | {b['p50_ms']} | "
                         f"{100 * (b['p50_ms'] / a['p50_ms'] - 1):+.0f}% | {a['rps']} | {b['rps']} | "
                         f"{100 * (b['rps'] / a['rps'] - 1):+.0f}% |")
        lines.append("")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured scenario")
    parser.add_argument("--fresh", action="store_true", help="regenerate datasets even if cached")
    parser.add_argument("--tiny", action="store_true", help="a small smoke run for CI")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    parser.add_argument("--render", metavar="JSON", help="write the report again from a run's raw results")
    args = parser.parse_args()
    if args.render:
        raw = json.loads(Path(args.render).read_text())
        args.sizes, args.databases, args.duration = raw["args"]["sizes"], raw["args"]["databases"], raw["args"]["duration"]
        Path(args.out).write_text(render(raw["results"], raw["machine"], args, when=raw["when"]))
        print(f"results written to {args.out}")
        return 0
    if args.tiny:
        args.sizes, args.duration, args.fresh = "3000", 1.0, True
        args.out = str(Path(tempfile.gettempdir()) / "cksloop-bench-tiny.md")
    info = machine()
    all_results = []
    for database in args.databases.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"== {database}, {size:,} garments", flush=True)
            res = bench_dataset(database, size, duration=args.duration, fresh=args.fresh, tiny=args.tiny)
            all_results.append(res)
            for r in res["runs"]:
                print(f"  {r['name']:<36} c={r['concurrency']} rps={r['rps']:>8} p95={r['p95_ms']:>8} ms "
                      f"errors={r['errors']} {r['statuses']}", flush=True)
    when = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}"
    Path(args.out).write_text(render(all_results, info, args, when=when))
    # the raw figures beside the report, so it can be written again (--render) as it evolves
    Path(args.out).with_suffix(".json").write_text(json.dumps(
        {"when": when, "machine": info, "results": all_results,
         "args": {"sizes": args.sizes, "databases": args.databases, "duration": args.duration}}, indent=1))
    print(f"results written to {args.out}")
    failures = [(res["database"], r["name"]) for res in all_results
                for r in res["runs"] + res.get("worker_settings", []) if r["errors"]]
    lost = [res["database"] for res in all_results if lost_writes(res)]
    if failures or lost:
        print(f"errors in {failures}; lost writes in {lost}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
