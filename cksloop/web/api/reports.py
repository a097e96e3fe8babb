"""API reports: rental quality analytics for a period (the figures behind the yearly report)."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from cksloop.domain.clock import local_date
from cksloop.domain.lifecycle import Role
from cksloop.domain.rental_quality import MAX_PERIOD_DAYS, parse_period, parse_thresholds
from cksloop.services import rental_attention, rental_reports
from cksloop.web.api import openapi, params
from cksloop.web.api.blueprint import bp
from cksloop.web.database import db, now
from cksloop.web.guards import allow
from cksloop.web.reports.routes import POINTS_PER_PAGE, default_thresholds

MERCH = (Role.MERCHANDISER, Role.ADMIN)
MAX_THRESHOLD = 100_000
MAX_ATTENTION_PAGE = 100_000
#: read as before (min_returns_for_rate too, though undocumented); parse_thresholds checks the values
THRESHOLDS = ("min_quality_returns", "min_defects", "min_quality_rate", "min_returns_for_rate")

openapi.tag("reports", "Reports built from the ledger.")
_API_PARAMS = [
    openapi.query("from", {"type": "string", "format": "date"},
                  "First day (default: 1 January of `to`'s year). The period is at most "
                  f"{MAX_PERIOD_DAYS} days (twenty years)."),
    openapi.query("to", {"type": "string", "format": "date"},
                  "Last day, included (default: today); not before `from`."),
    openapi.query("partner", {"type": "integer", "minimum": 1, "maximum": params.MAX_ID},
                  "Only this rental partner's rentals."),
    openapi.query("min_quality_returns", {"type": "integer", "minimum": 1, "maximum": MAX_THRESHOLD},
                  "Attention threshold."),
    openapi.query("min_defects", {"type": "integer", "minimum": 1, "maximum": MAX_THRESHOLD},
                  "Attention threshold."),
    openapi.query("min_quality_rate", {"type": "number", "exclusiveMinimum": 0, "maximum": 100},
                  "Attention threshold, in percent."),
    openapi.query("attention_page", {"type": "integer", "minimum": 1, "maximum": MAX_ATTENTION_PAGE,
                                     "default": 1},
                  "Page of attention points (20 a page, most quality returns first)."),
]


@bp.get("/reports/rental-quality")
@allow(*MERCH)
@openapi.operation(summary="Rental quality analytics for a period", tags=["reports"], parameters=_API_PARAMS,
                   operation_id="reports_api_rental_quality",
                   description="Per style, material, supplier and season: rental cycles, days rented, utilisation, "
                               "quality returns and their rate, defects by type; the attention points with "
                               "their evidence; and the one-line statement for the yearly report.",
                   responses={200: ("The analytics", {"type": "object"}),
                              422: "A date, partner, page or threshold is malformed, the period runs backwards "
                                   "or is longer than twenty years (error invalid_details)"})
def api_rental_quality() -> Any:
    errors: dict[str, str] = {}
    raw_from = params.query_text("from", errors, max_len=10)
    raw_to = params.query_text("to", errors, max_len=10)
    partner = params.query_id("partner", errors)
    page = params.query_int("attention_page", errors, default=1, minimum=1, maximum=MAX_ATTENTION_PAGE)
    raw_thresholds = {name: params.query_text(name, errors, max_len=12) for name in THRESHOLDS}
    params.raise_if_any(errors)
    period = parse_period(raw_from, raw_to, today=local_date(now()))
    thresholds = parse_thresholds({k: v for k, v in raw_thresholds.items() if v is not None},
                                  default_thresholds())
    report = rental_reports.quality_report(db(), period=period, now=now(), partner_id=partner)
    points = rental_attention.attention_points(db(), period=period, now=now(), thresholds=thresholds, report=report,
                                             page=page, per_page=POINTS_PER_PAGE)
    body = report.as_dict()
    body["thresholds"] = {"min_quality_returns": thresholds.min_quality_returns,
                          "min_defects": thresholds.min_defects, "min_quality_rate": thresholds.min_quality_rate,
                          "min_returns_for_rate": thresholds.min_returns_for_rate}
    body["attention_points"] = [p.as_dict() for p in points.points]
    body["attention"] = {"total": points.total, "page": points.page, "per_page": points.per_page}
    return jsonify(body)
