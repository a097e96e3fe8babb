"""Overstock review sessions at chain scale, in process against a benchmark dataset's database:
opening a review session of the dataset's largest collection, and executing a markdown decision
for a style of N garments (issue 13's target: 2,000 garments in < 2 s).

    .venv/bin/python benchmarks/overstock_bench.py URL [--units 2000] [--runs 3]

``benchmarks/run.py`` calls ``measure`` for every dataset it benchmarks; numbers vary with load.
"""
from __future__ import annotations

import argparse
import datetime as dt
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from cksloop.db.models import Location, Style, User  # noqa: E402
from cksloop.db.session import begin_write, make_engine, make_session_factory  # noqa: E402
from cksloop.domain.lifecycle import LocationKind, Role  # noqa: E402
from cksloop.services import accounts, catalogue, ledger, overstock_execution, overstock_reviews, streams  # noqa: E402

OPEN, MARKDOWN = "open a review session (service)", "execute a markdown of one style (service)"


def _summary(name: str, millis: list[float], errors: int = 0) -> dict[str, Any]:
    ordered = sorted(millis)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered) + 0.5) - 1))] if ordered else None
    return {"name": name, "concurrency": 1, "requests": len(millis), "errors": errors,
            "rps": round(len(millis) / (sum(millis) / 1000), 2) if millis else 0.0,
            "p50_ms": round(statistics.median(millis), 1) if millis else None,
            "p95_ms": round(p95, 1) if p95 is not None else None, "p99_ms": round(ordered[-1], 1) if ordered else None,
            "statuses": {}}


def _merchandiser(session: Any) -> User:
    user = session.scalar(select(User).where(User.role == Role.MERCHANDISER).order_by(User.id).limit(1))
    if user is None:
        user = accounts.create_user(session, email=f"bench-merch-{secrets.token_hex(3)}@cks.example",
                                    name="Bench merchandiser", role=Role.MERCHANDISER,
                                    password="bench-password-1", home_location=None)
        session.commit()
    return user


def measure(url: str, *, units: int, runs: int) -> list[dict[str, Any]]:
    """The timings of ``runs`` review openings and ``runs`` markdown executions of a new style of ``units``."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            now = dt.datetime.now(dt.UTC)
            merch = _merchandiser(session)
            season = session.scalar(select(Style.season).group_by(Style.season)
                                    .order_by(func.count().desc(), Style.season).limit(1)) or "SS26"
            warehouse = session.scalar(select(Location.code).where(Location.kind == LocationKind.WAREHOUSE)
                                       .order_by(Location.id).limit(1))
            tag = secrets.token_hex(3).upper()
            style = catalogue.create_style(
                session, style_number=f"BENCH-MD-{tag}", name="Benchmark dress", season=season, category="dress",
                colour="navy", sizes=["S", "M", "L"], country_of_manufacture="PT", supplier="Bench",
                retail_price_cents=9995, materials=[("cotton", 100, False, "")])
            session.commit()
            begin_write(session)
            style = session.get(Style, style.id)
            for i in range(units):
                catalogue.receive_garment(session, style=style, size="SML"[i % 3], location_code=warehouse,
                                          actor=merch, now=now - dt.timedelta(days=90), code=f"CKS-M{tag}{i:05d}",
                                          commit=False)
            ledger.before_commit(session, streams.GARMENTS)
            session.commit()
            opened, executed, errors = [], [], 0
            review_id = 0
            for _ in range(runs):
                started = time.perf_counter()
                review_id = overstock_reviews.open_review(session, season=season, as_of=None, actor=merch, now=now).id
                opened.append(1000 * (time.perf_counter() - started))
            for step in range(runs):
                decision = overstock_reviews.record_decision(session, review_id=review_id, actor=merch, now=now, raw={
                    "style": style.style_number, "decision": "mark_down", "reason": "benchmark",
                    "percent": 20 + 10 * step})
                started = time.perf_counter()
                answer = overstock_execution.execute(session, review_id=review_id, decision_id=decision.id,
                                                     actor=merch, now=now)
                executed.append(1000 * (time.perf_counter() - started))
                errors += answer["events"] != units
    finally:
        engine.dispose()
    return [_summary(OPEN, opened), {**_summary(MARKDOWN, executed, errors), "garments": units}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for result in measure(args.url, units=args.units, runs=args.runs):
        print(result)


if __name__ == "__main__":
    main()
