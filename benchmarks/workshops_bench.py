"""How long logging a workshop takes (POST /api/v1/workshops/{id}/log: the log and two lots' consume
events in one transaction) among many offcut lots, on a generated chain (issue 15's performance note).

    .venv/bin/python benchmarks/workshops_bench.py [--lots 100000] [--garments 20000] [--logs 200]
                                                   [--database sqlite|postgresql]
    .venv/bin/python benchmarks/workshops_bench.py --tiny        # a smoke run: small numbers

Prints the median and 95th percentile per request, to compare with the garment action's point
target in RESULTS.md; not a test, numbers vary with load.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, select  # noqa: E402

from benchmarks.generate import generate  # noqa: E402
from cksloop import create_app  # noqa: E402
from cksloop.db.models import Location, OffcutLot, OffcutLotEvent  # noqa: E402
from cksloop.db.session import make_session_factory  # noqa: E402
from cksloop.domain.lifecycle import Role  # noqa: E402
from cksloop.domain.offcut_labels import format_lot_code  # noqa: E402
from cksloop.services import accounts, tokens  # noqa: E402

BASE_URL = "https://loop.cks.example"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
NOW = dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.UTC)


def bulk_lots(url: str, count: int) -> dict[str, list[str]]:
    """``count`` lots (each with its ``create`` event) spread over the stores; codes by store."""
    engine = create_engine(url)
    by_store: dict[str, list[str]] = {}
    with engine.begin() as conn:
        stores = conn.execute(select(Location.id, Location.code).where(Location.kind == "store")).all()
        lots, events = [], []
        for i in range(1, count + 1):
            location_id, store = stores[i % len(stores)]
            code = format_lot_code(i)
            by_store.setdefault(store, []).append(code)
            lots.append({"id": i, "code": code, "version": 1, "location_id": location_id, "material": "denim",
                         "composition": [{"fibre": "cotton", "pct": 100}], "colour": "indigo", "area_m2": None,
                         "weight_in_g": 5000, "split_out_g": 0, "consumed_g": 0, "waste_g": 0, "remaining_g": 5000,
                         "consumed_by": {}, "source": {}, "created_at": NOW})
            events.append({"lot_id": i, "seq": 1, "action": "create", "grams": 5000, "location_id": location_id,
                           "actor_id": None, "occurred_at": NOW,
                           "details": {"weight_g": 5000, "location": store, "material": "denim", "colour": "indigo",
                                       "composition": [{"fibre": "cotton", "pct": 100}]}})
            if len(lots) == 5000:
                conn.execute(insert(OffcutLot), lots)
                conn.execute(insert(OffcutLotEvent), events)
                lots, events = [], []
        if lots:
            conn.execute(insert(OffcutLot), lots)
            conn.execute(insert(OffcutLotEvent), events)
    engine.dispose()
    return by_store


@contextlib.contextmanager
def _database(kind: str, tmp: str) -> Iterator[str]:
    """A new, empty database: a SQLite file in ``tmp``, or a PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp}/workshops.sqlite3"
        return
    import psycopg

    name = f"cksloop_bench_workshops_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=100_000)
    parser.add_argument("--garments", type=int, default=20_000)
    parser.add_argument("--logs", type=int, default=200)
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    if args.tiny:
        args.lots, args.garments, args.logs = 500, 500, 10

    with tempfile.TemporaryDirectory() as tmp, _database(args.database, tmp) as url:
        generate(url, garments=args.garments, styles=50, stores=10)
        started = time.perf_counter()
        by_store = bulk_lots(url, args.lots)
        print(f"{args.lots:,} offcut lots written in {time.perf_counter() - started:.1f} s")
        app = create_app({"DATABASE_URL": url, "BASE_URL": BASE_URL, "SECRET_KEY": "bench", "UPLOAD_DIR": tmp,
                          "NOW": NOW})
        store, codes = next(iter(by_store.items()))
        with app.app_context():
            session = make_session_factory(app.extensions["cksloop.engine"])()  # set-up by hand
            user = accounts.create_user(session, email="organiser@cks.example", name="Bench", role=Role.WORKSHOP_ORGANISER,
                                        password="correct horse battery staple", home_location=store)
            session.commit()
            token = tokens.create_token(session, email=user.email, now=NOW)
            session.commit()
            session.close()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        ids = []
        for i in range(args.logs):
            answer = client.post("/api/v1/workshops", headers=headers, json={
                "store": store, "starts_at": (NOW - dt.timedelta(hours=2, minutes=i)).isoformat(),
                "theme": f"Bench {i}", "capacity": 12})
            assert answer.status_code == 201, answer.get_data(as_text=True)[:300]
            ids.append(answer.get_json()["id"])
        times = []
        for i, workshop_id in enumerate(ids):
            pair = [codes[(2 * i) % len(codes)], codes[(2 * i + 1) % len(codes)]]
            wall = time.perf_counter()
            answer = client.post(f"/api/v1/workshops/{workshop_id}/log", headers=headers, json={
                "participants": 10, "products": [{"type": "jewellery_pouch", "quantity": 6},
                                                 {"type": "bracelet", "quantity": 4}],
                "lots": [{"code": c} for c in pair]})
            times.append((time.perf_counter() - wall) * 1000)
            assert answer.status_code == 201, answer.get_data(as_text=True)[:300]
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        print(f"log a workshop (2 lots, {args.lots:,} lots, {args.garments:,} garments, {args.database}, in-process): "
              f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms over {len(times)} logs")
        app.extensions["cksloop.engine"].dispose()


if __name__ == "__main__":
    main()
