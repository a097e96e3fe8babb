"""Where one request's time goes: run a scenario in-process and report ms and SQL statements.

Complements ``run.py`` (which measures under gunicorn with concurrent clients): this one uses
Flask's test client against a benchmark dataset, so a change can be judged in seconds.

    python benchmarks/profile_requests.py --url sqlite:///benchmarks/data/run-g1000000-s42-v9.sqlite3
    python benchmarks/profile_requests.py --url ... --only page --profile   # cProfile's top 30
    python benchmarks/profile_requests.py --url ... --only analytics --sql  # the costliest statements
    python benchmarks/profile_requests.py --url ... --only overstock,charter  # the slow reports
    python benchmarks/profile_requests.py --url ... --only noop,scan --json out.json  # as run.py records them
    python benchmarks/profile_requests.py --url ... --only scan,page,write --layers  # ms per layer of the code
    python benchmarks/profile_requests.py --url ... --only write --steps  # ms per step of cksloop's own code
"""
from __future__ import annotations

import argparse
import cProfile
import json
import datetime as dt
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--garments", type=int, default=1_000_000)
    parser.add_argument("-n", type=int, default=200, help="requests per scenario")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sql", action="store_true", help="list the statements that cost the most time")
    parser.add_argument("--layers", action="store_true",
                        help="profile a second pass and split the request's unprofiled mean over the layers of the code")
    parser.add_argument("--steps", action="store_true",
                        help="profile a second pass and give the ms each step of cksloop's code (and Flask's) takes, nested")
    parser.add_argument("--json", metavar="PATH", help="also write each scenario's figures to PATH (run.py reads it)")
    args = parser.parse_args()

    os.environ.update(CKSLOOP_DATABASE_URL=args.url, CKSLOOP_INSTANCE_PATH=tempfile.mkdtemp(),
                      CKSLOOP_SECRET_KEY="profile-" + os.urandom(8).hex(),
                      CKSLOOP_BASE_URL="https://loop.cks.example")
    from benchmarks.run import PASSWORD, _make_token
    from cksloop import create_app

    token = _make_token(args.url)
    app = create_app()
    engine = app.extensions["cksloop.engine"]
    statements = [0]
    spent: dict[str, list[float]] = {}  # statement text -> [calls, ms]
    started: list[float] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(*_a: object) -> None:
        statements[0] += 1
        started.append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _after(_conn: object, _cursor: object, sql: str, *_a: object) -> None:
        entry = spent.setdefault(" ".join(sql.split()), [0, 0.0])
        entry[0] += 1
        entry[1] += (time.perf_counter() - started.pop()) * 1000

    # how long a write transaction lasts, from its BEGIN (on SQLite: IMMEDIATE, once its turn came)
    # to the connection's return after COMMIT: on SQLite the time the write lock is held
    held: list[float] = []
    opened: dict[int, float] = {}

    @event.listens_for(engine, "begin")
    def _write_begins(conn: Any) -> None:
        if conn.get_execution_options().get("cksloop_write"):
            opened[id(conn.connection.dbapi_connection)] = time.perf_counter()

    @event.listens_for(engine.pool, "checkin")
    def _write_ends(dbapi_conn: Any, _record: Any) -> None:
        began = opened.pop(id(dbapi_conn), None)
        if began is not None:
            held.append((time.perf_counter() - began) * 1000)

    rng = random.Random(7)
    sample = [f"CKS-{rng.randint(1, args.garments):07d}" for _ in range(2000)]
    browser = app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    r = browser.post("/login", data={"email": "bench-admin@cks.example", "password": PASSWORD, "csrf_token": csrf})
    assert r.status_code == 302, r.status_code
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()

    def noop(i: int):  # an authenticated API route that does nothing but say who calls
        return api.get("/api/v1/me", headers=bearer)

    from flask import Flask

    plain = Flask("plain")  # the test client's own cost, to tell it apart from the app's
    plain.add_url_rule("/", "plain", lambda: "ok")
    plain_client = plain.test_client()

    def bare(i: int):
        return plain_client.get("/")

    def scan(i: int):
        return api.post("/api/v1/scans", json={"payload": f"https://loop.cks.example/g/{sample[i % 2000]}"},
                        headers=bearer)

    def page_(i: int):
        return browser.get(f"/garments/{sample[i % 2000]}")

    visitor = app.test_client()  # a customer's phone: not signed in

    def passport(i: int):
        return visitor.get(f"/g/{sample[i % 2000]}", headers={"Accept-Language": ("nl", "fr", "en")[i % 3]})

    with engine.connect() as conn:
        from sqlalchemy import text
        pool = [row[0] for row in conn.execute(text(
            "SELECT code FROM garments WHERE state = 'in_rental_pool' ORDER BY id LIMIT 2000"))]

    def write(i: int):
        code = pool[(i // 2) % len(pool)]
        if i % 2 == 0:
            return api.post(f"/api/v1/garments/{code}/actions", headers=bearer,
                            json={"action": "check_out_rental", "partner": 1, "due_on": due})
        return api.post(f"/api/v1/garments/{code}/actions", headers=bearer,
                        json={"action": "return_rental", "reason": "end_of_rental", "grade": "A", "defects": []})

    def search(i: int):
        r2 = random.Random(i)
        return browser.get(f"/garments?state=in_stock&location=ST-{r2.randint(1, 60):03d}"
                           f"&season={r2.choice(['SS25', 'AW25', 'SS26'])}")

    def analytics(i: int):
        return browser.get("/reports/rental-quality")

    def zpl(i: int):
        return api.post("/api/v1/labels", headers=bearer,
                        json={"codes": sample[:1000], "layout": "a4-3x8", "format": "zpl", "start_at": 1})

    def pdf(i: int):
        return api.post("/api/v1/labels", headers=bearer,
                        json={"codes": sample[:1000], "layout": "a4-3x8", "format": "pdf", "start_at": 1})

    def overstock(i: int):  # the latest collection with stock, as of today, as run.py asks it
        return api.get("/api/v1/overstock", headers=bearer)

    def charter(i: int):  # this year's report with the year before beside it, as run.py asks it
        return browser.get(f"/reports/charter?year={dt.date.today().year}")

    scenarios = {"bare": (bare, args.n * 5), "noop": (noop, args.n * 5), "scan": (scan, args.n), "page": (page_, args.n), "passport": (passport, args.n), "write": (write, args.n),
                 "search": (search, max(10, args.n // 10)), "analytics": (analytics, 5),
                 "zpl": (zpl, 2), "pdf": (pdf, 2), "overstock": (overstock, 5),
                 "charter": (charter, 5)}
    chosen = [s for s in args.only.split(",") if s] or list(scenarios)
    figures: dict[str, dict[str, float]] = {}
    for name in chosen:
        fn, n = scenarios[name]
        fn(0)  # warm-up: compiled templates, caches
        times, before = [], statements[0]
        held.clear()
        spent.clear()
        profiler = cProfile.Profile() if args.profile else None
        for i in range(1, n + 1):
            t0 = time.perf_counter()
            if profiler:
                profiler.enable()
            response = fn(i)
            if profiler:
                profiler.disable()
            times.append((time.perf_counter() - t0) * 1000)
            # a retired or written-off garment's passport answers 410 Gone by design
            assert response.status_code < 400 or (name == "passport" and response.status_code == 410), (name, response.status_code, response.get_data(as_text=True)[:300])
        times.sort()
        figures[name] = {"n": n, "mean_ms": round(statistics.fmean(times), 3), "p50_ms": round(times[len(times) // 2], 3),
                         "statements": round((statements[0] - before) / n, 2)}
        if held:
            figures[name]["write_transaction_ms"] = round(statistics.fmean(held), 3)
        print(f"{name:<10} n={n:<4} mean {statistics.fmean(times):7.2f} ms  p50 {times[len(times) // 2]:7.2f}"
              f"  p95 {times[int(len(times) * 0.95) - 1]:7.2f}  SQL/request {(statements[0] - before) / n:5.1f}"
              + (f"  write transaction {statistics.fmean(held):5.2f} ms" if held else ""))
        if args.sql:
            for sql, (calls, ms) in sorted(spent.items(), key=lambda kv: -kv[1][1])[:12]:
                print(f"  {ms / n:8.2f} ms/request  {calls / n:5.1f}x  {sql[:160]}")
        if profiler:
            pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(int(os.environ.get("PROFILE_LINES", "30")))
        if args.layers:
            print_layers(fn, n, statistics.fmean(times))
        if args.steps:
            print_steps(fn, n, statistics.fmean(times))
    if args.json:
        Path(args.json).write_text(json.dumps(figures))
    return 0


#: where a function's own time goes, by the first path fragment its file name contains (in order)
_LAYERS = (("/psycopg", "database driver and round trips"), ("sqlite3", "database driver and round trips"),
           ("/sqlalchemy/", "SQLAlchemy"), ("/jinja2/", "templates (Jinja)"), ("/templates/", "templates (Jinja)"),
           ("<template>", "templates (Jinja)"), ("/wtforms/", "forms (WTForms)"), ("/babel/", "Babel"),
           ("/flask_babel/", "Babel"), ("/flask_login/", "Flask-Login"), ("/flask_wtf/", "forms (WTForms)"),
           ("/werkzeug/", "Flask and Werkzeug"), ("/flask/", "Flask and Werkzeug"),
           ("/cksloop/domain/", "cksloop domain"), ("/cksloop/services/", "cksloop services and reads"),
           ("/cksloop/db/", "cksloop services and reads"), ("/cksloop/web/", "cksloop web layer"),
           ("/cksloop/adapters/", "cksloop web layer"), ("/json/", "JSON"))


def _layer(filename: str, name: str) -> str:
    if filename == "~":  # a built-in: the database's own calls by name, the rest as Python's
        return "database driver and round trips" if any(w in name for w in ("sqlite3", "select", "poll", "recv", "send")) \
            else "Python built-ins"
    return next((layer for fragment, layer in _LAYERS if fragment in filename), "other Python")


def _profiled(fn: Any, n: int) -> dict[Any, Any]:
    """cProfile's statistics of ``n`` more requests (function → calls, own and cumulative time)."""
    profiler = cProfile.Profile()
    for i in range(1, n + 1):
        profiler.enable()
        fn(i)
        profiler.disable()
    return pstats.Stats(profiler).stats  # type: ignore[attr-defined]


def print_layers(fn: Any, n: int, mean_ms: float) -> None:
    """Profile ``n`` more requests and split ``mean_ms`` (measured without the profiler) over the
    layers in the proportions of their own time under it (the profiler's cost is spread alike)."""
    own: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in _profiled(fn, n).items():
        own[_layer(filename, name)] = own.get(_layer(filename, name), 0.0) + tottime
    total = sum(own.values()) or 1.0
    for layer, seconds in sorted(own.items(), key=lambda kv: -kv[1]):
        print(f"  {mean_ms * seconds / total:6.2f} ms  {100 * seconds / total:5.1f} %  {layer}")


#: the framework's steps shown beside cksloop's own functions
_FRAMEWORK_STEPS = {("flask/app.py", "preprocess_request"), ("flask/app.py", "dispatch_request"),
                    ("flask/app.py", "process_response"), ("flask/app.py", "finalize_request"),
                    ("flask/ctx.py", "push"), ("flask/ctx.py", "pop"), ("flask_login/login_manager.py", "_load_user"),
                    ("flask/templating.py", "render_template"), ("sqlalchemy/orm/session.py", "commit")}


def _short(filename: str) -> str:
    """A source file as the steps list names it: inside cksloop, or inside site-packages."""
    return filename.split("/cksloop/")[-1] if "/cksloop/" in filename else filename.split("site-packages/")[-1]


def print_steps(fn: Any, n: int, mean_ms: float) -> None:
    """Profile ``n`` more requests and list the steps (cksloop's functions and the framework's main
    ones) by their time including what they call, scaled to ``mean_ms`` (measured without the profiler)."""
    stats = _profiled(fn, n)
    total = sum(tottime for (_cc, _nc, tottime, _ct, _callers) in stats.values()) or 1.0
    steps = [(cumtime, f"{_short(filename)}:{line} {name}")
             for (filename, line, name), (_cc, _nc, _tt, cumtime, _callers) in stats.items()
             if "/cksloop/" in filename or any(filename.endswith(f) and name == fname for f, fname in _FRAMEWORK_STEPS)]
    for cumtime, label in sorted(steps, reverse=True)[:int(os.environ.get("PROFILE_LINES", "40"))]:
        print(f"  {mean_ms * cumtime / total:6.2f} ms  {label}")


if __name__ == "__main__":
    sys.exit(main())
