"""Generate a synthetic CKS chain for benchmarks: stores, styles, garments and their ledgers.

Fast and reproducible (seeded): every garment follows one of a few history templates whose
state transitions are checked once by the real domain rules (cksloop.domain.lifecycle), then
instantiated with its own locations, dates and prices and written with bulk inserts
(executemany on SQLite, COPY on PostgreSQL). Each garment row equals the replay of its events.

    python benchmarks/generate.py --url sqlite:///benchmarks/data/1m.sqlite3 --garments 1000000
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cksloop.db import migrate  # noqa: E402
from cksloop.domain import lifecycle  # noqa: E402
from cksloop.domain.clock import local_date  # noqa: E402
from cksloop.domain.labels import gs1_check_digit  # noqa: E402
from cksloop.domain.lifecycle import Action, Context, LocationKind, Place, Role, Snapshot  # noqa: E402
from cksloop.services.accounts import hash_password  # noqa: E402

CITIES = ["Antwerpen", "Gent", "Brussel", "Leuven", "Hasselt", "Brugge", "Mechelen", "Kortrijk",
          "Namur", "Liège", "Aalst", "Sint-Niklaas", "Genk", "Turnhout", "Roeselare", "Oostende",
          "Mons", "Charleroi", "Wavre", "Lier"]
CATEGORIES = ["dress", "blazer", "trousers", "blouse", "knit", "coat", "skirt", "jumpsuit"]
COLOURS = ["navy", "black", "camel", "ecru", "olive", "burgundy", "sky blue", "terracotta"]
SEASONS = ["SS24", "AW24", "SS25", "AW25", "SS26"]
SIZE_RUN = ["XS", "S", "M", "L", "XL"]
FIBRES = [("organic cotton", True, "organic"), ("polyester", True, "recycled"),
          ("viscose", True, "LENZING™ ECOVERO™"), ("lyocell", True, "TENCEL™"),
          ("cotton", False, ""), ("elastane", False, ""), ("wool", False, "")]


@dataclass(frozen=True)
class Step:
    action: Action
    where: str  # "home", "other", "outlet": symbolic location after the step
    price: float  # factor of the retail price after the step
    details: dict[str, Any]


def _templates() -> list[tuple[float, list[Step]]]:
    """History templates with their weights; average about five events per garment."""
    out, back, rent = Step, "home", []
    for _ in range(5):
        rent += [out(Action.CHECK_OUT_RENTAL, back, 1, {"partner": 1, "due_on": "D", "started_on": "S"}),
                 out(Action.RETURN_RENTAL, back, 1, {"reason": "end_of_rental", "grade": "A", "defects": []})]
    quality = [out(Action.CHECK_OUT_RENTAL, back, 1, {"partner": 1, "due_on": "D", "started_on": "S"}),
               out(Action.RETURN_RENTAL, back, 1, {
                   "reason": "quality_return", "grade": "C", "care_kind": "repair",
                   "care_return_state": "in_rental_pool",
                   "defects": [{"code": "SNAG", "zone": "front", "severity": 3, "note": ""}]}),
               out(Action.FINISH_CARE, back, 1, {"outcome": "done", "cost_cents": 1200})]
    receive = [out(Action.RECEIVE, "home", 1, {})]
    pool = out(Action.ADD_TO_RENTAL_POOL, back, 1, {})
    transfer = out(Action.TRANSFER, "other", 1, {"from_location": "H"})
    sell = out(Action.SELL, "=", 0, {"price_cents": "P"})
    outlet = [out(Action.MARK_DOWN, "=", .7, {"previous_price_cents": "P"}),
              out(Action.MOVE_TO_OUTLET, "outlet", .5, {"from_location": "H", "previous_price_cents": "P"})]
    return [
        (.14, receive),
        (.12, receive + [sell]),
        (.10, receive + [transfer, sell]),
        (.10, receive + [transfer, out(Action.TRANSFER, "home", 1, {"from_location": "O"}), sell]),
        (.08, receive + outlet + [sell]),
        (.05, receive + outlet),
        (.11, receive + [pool] + rent),
        (.07, receive + [pool] + rent + rent[:1]),
        (.03, receive + [pool] + quality + rent),
        (.06, receive + [sell, out(Action.CUSTOMER_RETURN, "home", 1, {}), sell]),
        (.02, receive + [pool] + rent[:1] + [out(Action.RECEIVE_RENTAL_RETURN, back, 1, {})]),
        (.02, receive + [out(Action.START_CARE, back, 1, {"care_kind": "repair",
                                                          "care_return_state": "in_stock"})]),
        (.03, receive + outlet + [out(Action.RETIRE, "=", .5, {"route": "offcuts"})]),
        (.01, receive + [out(Action.WRITE_OFF, "=", 1, {"reason": "stolen"})]),
        (.06, receive + [transfer]),
    ]


def checked_templates() -> list[tuple[float, list[tuple[Step, str | None, str]]]]:
    """Each template with its (from_state, to_state) per step, checked by the domain rules once."""
    places = {"S1": Place("S1", LocationKind.STORE), "S2": Place("S2", LocationKind.STORE),
              "OUT": Place("OUT", LocationKind.OUTLET)}
    ctx = Context(actor_role=Role.ADMIN, today=dt.date(2026, 1, 1), here="S1", places=places,
                  partners=frozenset({1}))
    symbolic = {"home": "S1", "other": "S2", "outlet": "OUT"}
    result = []
    for weight, steps in _templates():
        snap, states = Snapshot(), []
        for step in steps:
            details: dict[str, Any] = dict(step.details)
            if step.action is Action.RECEIVE:
                details = {"location": "S1", "price_cents": 10000}
            elif step.action in (Action.TRANSFER, Action.MOVE_TO_OUTLET):
                details = {"to_location": symbolic[step.where]}
                if step.action is Action.MOVE_TO_OUTLET:
                    details["price_cents"] = 5000
            elif step.action is Action.MARK_DOWN:
                details = {"price_cents": 7000}
            elif step.action is Action.CHECK_OUT_RENTAL:
                details = {"partner": 1, "due_on": "2026-01-11"}
            elif step.action is Action.SELL:
                details = {}
            change = lifecycle.decide(snap, step.action, details, ctx)
            states.append((step, change.from_state.value if change.from_state else None,
                           change.to_state.value))
            snap = lifecycle.apply(snap, change)
        result.append((weight, states))
    return result


def generate(url: str, garments: int, seed: int = 42, styles: int = 2000, stores: int = 60) -> dict[str, Any]:
    started = time.perf_counter()
    rng = random.Random(seed)
    migrate.upgrade(url)
    templates = checked_templates()
    weights = [w for w, _ in templates]
    writer = _Writer(url)
    writer.defer_indexes(BULK_TABLES)

    # locations: stores, the warehouse, the outlet and the rental partner's site
    locations = []
    for i in range(1, stores + 1):
        city = CITIES[(i - 1) % len(CITIES)]
        locations.append((i, f"ST-{i:03d}", f"CKS {city} {i}", "store", city, True))
    warehouse, outlet, partner_site = stores + 1, stores + 2, stores + 3
    locations += [(warehouse, "WH-WOMMELGEM", "CRG warehouse", "warehouse", "Wommelgem", True),
                  (outlet, "OUTLET-WOMMELGEM", "CKS Outlet", "outlet", "Wommelgem", True),
                  (partner_site, "DRESSR-ANT", "Dressr", "partner", "Antwerpen", True)]
    writer.insert("locations", ["id", "code", "name", "kind", "city", "active"], locations)
    writer.insert("rental_partners", ["id", "name", "contact_email", "default_rental_days", "terms",
                                      "location_id"],
                  [(1, "Dressr", "ops@dressr.example", 10, "", partner_site)])
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    writer.insert("users", ["id", "email", "name", "role", "home_location_id", "password_hash",
                            "active", "session_nonce", "created_at"],
                  [(1, "bench-admin@cks.example", "Bench admin", "admin", 1,
                    hash_password("bench-password-1"), True, "n0", now),
                   (2, "bench-staff@cks.example", "Bench staff", "store_staff", 1,
                    hash_password("bench-password-1"), True, "n1", now)])

    # styles with sizes, GTINs and compositions
    style_rows, size_rows, material_rows, retail = [], [], [], {}
    for s in range(1, styles + 1):
        price = rng.choice([3995, 4995, 5995, 7995, 9995, 12995, 15995, 18995])
        retail[s] = price
        style_rows.append((s, f"{SEASONS[s % len(SEASONS)]}-{s:05d}", f"Style {s}",
                           SEASONS[s % len(SEASONS)], CATEGORIES[s % len(CATEGORIES)],
                           COLOURS[s % len(COLOURS)], ",".join(SIZE_RUN), rng.choice(["TR", "PT", "IN", "CN", "BD"]),
                           f"Supplier {s % 40}", price, "30°C"))
        for k, size in enumerate(SIZE_RUN):
            body = f"5400{s:05d}{k:03d}"
            gtin = body + str(gs1_check_digit(body))
            size_rows.append((s * 10 + k, s, size, gtin.zfill(14) if s % 4 else None))
        main = FIBRES[s % len(FIBRES)]
        material_rows += [(s * 2, s, main[0], 95, main[1], main[2]), (s * 2 + 1, s, "elastane", 5, False, "")]
    writer.insert("styles", ["id", "style_number", "name", "season", "category", "colour", "size_run",
                             "country_of_manufacture", "supplier", "retail_price_cents", "care"], style_rows)
    writer.insert("style_sizes", ["id", "style_id", "size", "gtin"], size_rows)
    writer.insert("style_materials", ["id", "style_id", "fibre", "percent", "sustainable", "certification"],
                  material_rows)

    garment_cols = ["id", "code", "style_id", "size", "state", "location_id", "price_cents",
                    "care_return_state", "version", "created_at", "received_on"]
    event_cols = ["id", "garment_id", "seq", "action", "from_state", "to_state", "location_id",
                  "price_cents", "actor_id", "occurred_at", "details"]
    cycle_cols = ["id", "garment_id", "partner_id", "started_on", "due_on", "partner_reference",
                  "checked_out_at", "returned_at", "return_reason", "previous_check_out_at",
                  "previous_check_out_with_partner_at", "ready_at", "inspected_at"]
    inspection_cols = ["id", "garment_id", "rental_cycle_id", "event_id", "grade", "reason", "note",
                       "inspector_id", "inspected_at"]
    defect_cols = ["id", "inspection_id", "code", "zone", "severity", "note", "photo_path"]
    stay_cols = ["id", "garment_id", "partner_id", "started_at", "ended_at", "previous_ended_at"]
    care_cols = ["id", "garment_id", "inspection_id", "kind", "started_at", "ended_at", "outcome",
                 "cost_cents", "note", "started_event_id", "ended_event_id"]
    event_id = cycle_id = inspection_id = defect_id = stay_id = care_id = 0
    start = dt.datetime(2023, 11, 1, tzinfo=dt.UTC)
    chunk = 50_000
    totals = {"garments": 0, "events": 0, "rental_cycles": 0, "inspections": 0, "care_steps": 0}
    rnd = rng.random  # a float scaled to the range: randint is several times slower
    days: dict[tuple[dt.date, int], dt.date] = {}

    def received_on(at: dt.datetime) -> dt.date:  # the shop day, as receive_garment writes it
        key = (at.date(), at.hour)  # Brussels changes its offset on the hour
        if key not in days:
            days[key] = local_date(at)
        return days[key]

    constant_json = {id(step): json.dumps(dict(step.details)) for _, steps in templates for step, _, _ in steps}
    for first in range(1, garments + 1, chunk):
        g_rows, e_rows, c_rows, i_rows, d_rows, s_rows, k_rows = [], [], [], [], [], [], []
        for gid in range(first, min(first + chunk, garments + 1)):
            style = 1 + int(rnd() * styles)
            home = 1 + int(rnd() * stores)
            other = 1 + int(rnd() * stores)
            price = retail[style]
            _, steps = templates[_pick(rng, weights)]
            # the whole history ends before `now` (each step below waits at most STEP_MINUTES)
            latest_start = (now - start).total_seconds() / 60 - len(steps) * STEP_MINUTES
            when = received_at = start + dt.timedelta(minutes=int(rnd() * latest_start))
            location, open_cycle, care_return, last_out = home, None, None, None
            waiting_ready: list[list[Any]] = []  # this garment's returned cycles not yet ready in the pool
            for seq, (step, from_state, to_state) in enumerate(steps, start=1):
                event_id += 1
                details = dict(step.details)
                before_price, before_location = price, location
                if step.where == "home":
                    location = home
                elif step.where == "other":
                    location = other if other != home else warehouse
                elif step.where == "outlet":
                    location = outlet
                if step.price == 0 or step.action is Action.RETIRE:
                    pass
                elif step.price != 1:
                    price = int(retail[style] * step.price)
                if "from_location" in details:
                    details["from_location"] = f"ST-{before_location:03d}" if before_location <= stores \
                        else "OUTLET-WOMMELGEM"
                if "previous_price_cents" in details:
                    details["previous_price_cents"] = before_price
                if "price_cents" in details:
                    details["price_cents"] = price
                if step.action is Action.CHECK_OUT_RENTAL:
                    due = (when + dt.timedelta(days=10)).date()
                    details.update(started_on=when.date().isoformat(), due_on=due.isoformat())
                    cycle_id += 1
                    open_cycle = cycle_id
                    # one partner here: the previous check-out with it is the previous one at all
                    c_rows.append([cycle_id, gid, 1, when.date(), due, None, when, None, None, last_out, last_out,
                                   None, None])
                    last_out = when
                if step.action in (Action.RETURN_RENTAL, Action.RECEIVE_RENTAL_RETURN) and open_cycle:
                    c_rows[-1][7] = when
                    c_rows[-1][8] = details.get("reason")
                    waiting_ready.append(c_rows[-1])
                    if "grade" in details:
                        c_rows[-1][12] = when  # as the rental projection: inspected with the return
                        inspection_id += 1
                        i_rows.append((inspection_id, gid, open_cycle, event_id, details["grade"],
                                       details["reason"], "", 2, when))
                        for defect in details["defects"]:
                            defect_id += 1
                            d_rows.append((defect_id, inspection_id, defect["code"], defect["zone"],
                                           defect["severity"], "", None))
                    open_cycle = None
                if to_state == "in_rental_pool":  # as the rental projection: the turnaround ends here
                    for row in waiting_ready:
                        row[11] = when
                    waiting_ready.clear()
                if step.action is Action.ADD_TO_RENTAL_POOL:
                    stay_id += 1  # the templates never take a garment out of rental: the stay stays open
                    s_rows.append((stay_id, gid, 1, when, None, None))
                if to_state == "in_care":
                    care_return = details.get("care_return_state", "in_rental_pool")
                    care_id += 1
                    k_rows.append([care_id, gid, inspection_id if "grade" in details else None,
                                   details.get("care_kind", "repair"), when, None, None, None, "",
                                   event_id, None])
                elif from_state == "in_care":
                    care_return = None
                    k_rows[-1][5:8] = [when, details.get("outcome", "done"), details.get("cost_cents")]
                    k_rows[-1][10] = event_id
                e_rows.append((event_id, gid, seq, step.action.value, from_state, to_state, location,
                               price, 2 if seq % 2 else 1, when,
                               json.dumps(details) if step.details.keys() & VARIABLE_DETAILS
                               else constant_json[id(step)]))
                when += dt.timedelta(days=1 + int(rnd() * 20), minutes=int(rnd() * 601))
            g_rows.append((gid, f"CKS-{gid:07d}", style, SIZE_RUN[gid % len(SIZE_RUN)], steps[-1][2],
                           location, price, care_return, len(steps), start, received_on(received_at)))
        writer.insert("garments", garment_cols, g_rows)
        writer.insert("garment_events", event_cols, e_rows)
        writer.insert("rental_cycles", cycle_cols, [tuple(r) for r in c_rows])
        writer.insert("inspections", inspection_cols, i_rows)
        writer.insert("inspection_defects", defect_cols, d_rows)
        writer.insert("rental_pool_stays", stay_cols, s_rows)
        writer.insert("care_steps", care_cols, [tuple(r) for r in k_rows])
        writer.commit()
        totals["garments"] += len(g_rows)
        totals["events"] += len(e_rows)
        totals["rental_cycles"] += len(c_rows)
        totals["inspections"] += len(i_rows)
        totals["care_steps"] += len(k_rows)
    writer.finish()
    totals["rollups"] = _rebuild_rollups(url)
    totals["seconds"] = round(time.perf_counter() - started, 1)
    return totals


def _rebuild_rollups(url: str) -> dict[str, int]:
    """Sum the bulk-loaded ledger into the rollups the app writes with every event: the rental
    analytics and turnarounds, the overstock sales (daily and monthly), receipts per style (by size and
    by month) and the garments' exits (without them the overstock review, the charter report and the
    disclosure would read empty tables and measure less than the app does)."""
    from cksloop.db.session import make_engine
    from cksloop.services import garment_exits, overstock_rollups, rental_rollups

    engine = make_engine(url)
    with engine.begin() as conn:
        written = rental_rollups.rebuild(conn)
        written["overstock_daily_sales"] = overstock_rollups.rebuild(conn)
        written["style_size_receipts"] = overstock_rollups.rebuild_receipts(conn)
        written["garment_exits"] = garment_exits.rebuild(conn)
        written["rental_turnarounds"] = rental_rollups.rebuild_turnarounds(conn)
    engine.dispose()
    return written


#: the longest wait between two events of a garment (20 days and 10 hours, see the loop)
STEP_MINUTES = 20 * 24 * 60 + 600

#: detail keys filled in per garment; events without them share one JSON text per template step
VARIABLE_DETAILS = frozenset({"from_location", "previous_price_cents", "price_cents", "started_on", "due_on"})


def _pick(rng: random.Random, weights: list[float]) -> int:
    return rng.choices(range(len(weights)), weights)[0]


#: the tables that get millions of rows: their secondary indexes are built after the load
BULK_TABLES = ("garments", "garment_events", "rental_cycles", "inspections", "inspection_defects",
               "rental_pool_stays", "care_steps")


class _Writer:
    """Bulk rows into SQLite (executemany) or PostgreSQL (COPY), one transaction per chunk.

    Secondary indexes of the big tables are dropped before the load and created again after
    it (``defer_indexes``): building an index from sorted rows once is several times faster
    than millions of random-order inserts into it, and recreating the unique ones checks
    the generated data against them.
    """

    def __init__(self, url: str):
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            import sqlite3

            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=OFF")  # bulk load; the file is checked afterwards
            self.conn.execute("PRAGMA cache_size=-1000000")  # 1 GB: random index inserts stay in memory
            self.conn.execute("BEGIN")
        else:
            import psycopg

            self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        self.deferred: list[str] = []

    def defer_indexes(self, tables: tuple[str, ...]) -> None:
        marks = ",".join(["?" if self.sqlite else "%s"] * len(tables))
        if self.sqlite:
            found = self.conn.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks})", tables).fetchall()
        else:
            # indexes that back a constraint (primary keys, UNIQUE) stay: they cannot be dropped alone
            found = self.conn.execute(
                f"SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                f"AND tablename IN ({marks}) AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                tables).fetchall()
        self.deferred = [sql for _, sql in found]
        for name, _ in found:
            self.conn.execute(f'DROP INDEX "{name}"')

    def insert(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.sqlite:
            marks = ",".join("?" * len(columns))
            self.conn.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)
            return
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({','.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def commit(self) -> None:
        if self.sqlite:
            self.conn.execute("COMMIT")
            self.conn.execute("BEGIN")
        else:
            self.conn.commit()

    def finish(self) -> None:
        if self.sqlite:
            self.conn.execute("COMMIT")
            for sql in self.deferred:
                self.conn.execute(sql)
            self.conn.execute("ANALYZE")
        else:
            with self.conn.cursor() as cur:
                for table in ("locations", "users", "styles", "style_sizes", "style_materials", "garments",
                              "garment_events", "rental_cycles", "inspections", "inspection_defects",
                              "rental_partners", "rental_pool_stays", "care_steps"):
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"COALESCE((SELECT MAX(id) FROM {table}), 1))")
            self.conn.commit()
            self.conn.autocommit = True
            self.conn.execute("SET maintenance_work_mem = '1GB'")
            for sql in self.deferred:
                self.conn.execute(sql)
            self.conn.execute("ANALYZE")
        self.conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="database URL (sqlite:///… or postgresql+psycopg://…)")
    parser.add_argument("--garments", type=int, default=100_000)
    parser.add_argument("--styles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    totals = generate(args.url, args.garments, seed=args.seed, styles=args.styles)
    print(json.dumps(totals))


if __name__ == "__main__":
    main()
