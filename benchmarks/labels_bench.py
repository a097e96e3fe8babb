"""How long 1,000 labels take: a PDF of A4 sheets and ZPL for a label printer, rendering alone and
through POST /api/v1/labels (one query for the codes, then rendering), on a generated chain.

    .venv/bin/python benchmarks/labels_bench.py [--labels 1000] [--runs 3]

Prints wall and CPU seconds per run (the best and the median); not a test, numbers vary with load.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from benchmarks.generate import generate  # noqa: E402
from cksloop import create_app  # noqa: E402
from cksloop.adapters import label_sheets, zpl  # noqa: E402
from cksloop.db.models import Garment  # noqa: E402
from cksloop.db.session import make_session_factory  # noqa: E402
from cksloop.domain.labels import LAYOUTS  # noqa: E402
from cksloop.domain.lifecycle import Role  # noqa: E402
from cksloop.services import accounts, labels, tokens  # noqa: E402

BASE_URL = "https://loop.cks.example"


def measure(name: str, runs: int, work: Callable[[], Any]) -> Any:
    walls, cpus, result = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    size = f"{len(result) / 1e6:.2f} MB" if isinstance(result, (bytes, str)) else ""
    print(f"{name:<44} wall best {min(walls):6.2f} s, median {statistics.median(walls):6.2f} s | "
          f"cpu best {min(cpus):6.2f} s | {size}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/labels.sqlite3"
        generate(url, garments=max(args.labels * 5, 5000), styles=200, stores=10)
        app = create_app({"DATABASE_URL": url, "BASE_URL": BASE_URL, "SECRET_KEY": "bench",
                          "UPLOAD_DIR": tmp})
        with app.app_context():
            session = make_session_factory(app.extensions["cksloop.engine"])()  # set-up by hand
            user = accounts.create_user(session, email="bench@cks.example", name="Bench", role=Role.ADMIN,
                                        password="correct horse battery staple", home_location=None)
            session.commit()
            token = tokens.create_token(session, email=user.email, now=__import__("datetime").datetime.now())
            session.commit()
            codes = list(session.scalars(select(Garment.code).order_by(Garment.id).limit(args.labels)))
            found = measure(f"query: {len(codes)} codes in one query", args.runs,
                            lambda: labels.labels_for_codes(session, codes=codes, base_url=BASE_URL))
            digital_links = sum("/01/" in label.url for label in found)
            print(f"  ({digital_links} Digital Link URLs, {len(found) - digital_links} /g/ URLs)")
            for name in ("a4-3x8", "a4-4x10"):
                measure(f"render: {len(found)} labels, PDF {name}", args.runs,
                        lambda name=name: label_sheets.render_sheets(found, LAYOUTS[name]))
            for dpi in (203, 300):
                measure(f"render: {len(found)} labels, ZPL {dpi} dpi", args.runs,
                        lambda dpi=dpi: zpl.render_labels(found, dpi=dpi))
            session.close()

        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        for kind in ("pdf", "zpl"):
            def post(kind: str = kind) -> bytes:
                response = client.post("/api/v1/labels", headers=headers,
                                       json={"codes": codes, "format": kind, "layout": "a4-3x8"})
                assert response.status_code == 200, response.get_data(as_text=True)[:300]
                return response.data

            measure(f"POST /api/v1/labels: {len(codes)} labels, {kind}", args.runs, post)
        app.extensions["cksloop.engine"].dispose()


if __name__ == "__main__":
    main()
