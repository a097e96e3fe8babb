"""Scanning: the one scan page (camera, handheld scanner, typing), batch scanning, the scanner self-test.

The JSON API these pages call (and later the offline queue) is cksloop.web.api.scans."""
from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from cksloop.db import queries
from cksloop.domain.clock import local_date
from cksloop.domain.lifecycle import (Action, CareKind, CareOutcome, DestructionGround, LocationKind, RetireRoute,
                                      WriteOffReason)
from cksloop.domain.scanning import LabelKind, NotALabel, ScannedLabel, mangle_azerty, parse_scan
from cksloop.services import batches, labels, offcut_lots
from cksloop.web.database import db, now
from cksloop.web.garments.links import garment_url
from cksloop.web.guards import allow
from cksloop.web.i18n import action_label

bp = Blueprint("scan", __name__)


#: The details each batch action asks for on the batch page (the rules check their values).
DETAIL_FIELDS: dict[Action, tuple[str, ...]] = {
    Action.RECEIVE_RENTAL_RETURN: ("note",),
    Action.MOVE_TO_OUTLET: ("to_outlet", "price_optional", "note"),
    Action.TRANSFER: ("to_location", "note"),
    Action.ADD_TO_RENTAL_POOL: ("partner_optional", "note"),
    Action.REMOVE_FROM_RENTAL_POOL: ("note",),
    Action.CHECK_OUT_RENTAL: ("partner", "due_on", "note"),
    Action.START_CARE: ("care_kind", "note"),
    Action.FINISH_CARE: ("outcome", "note"),
    Action.MARK_DOWN: ("price", "note"),
    Action.ALLOCATE_TO_BUYER_LOT: ("buyer_lot", "note"),
    Action.RELEASE_FROM_BUYER_LOT: ("note",),
    Action.RETIRE: ("route", "ground", "note"),
    Action.WRITE_OFF: ("reason", "note"),
}


# --- pages ---------------------------------------------------------------------------------------

@bp.get("/scan")
@allow()
def index() -> Any:
    """The scan page; ``?payload=`` is the same scan without JavaScript (a plain form GET)."""
    raw = request.args.get("payload")
    problem = None
    status = 200
    if raw is not None:
        outcome = parse_scan(raw, base_url=current_app.config["BASE_URL"], lots=True)
        if isinstance(outcome, ScannedLabel) and outcome.kind is LabelKind.OFFCUT_LOT:
            # an offcut lot's label opens the lot (issue 15)
            if offcut_lots.list_lots(db(), code=outcome.code, per_page=1)[0]:
                return redirect(url_for("offcuts.detail", code=outcome.code))
            problem, status = gettext("No offcut lot with code %(code)s.", code=outcome.code), 404
        elif isinstance(outcome, ScannedLabel):
            if find_scanned(outcome.code) is not None:
                if outcome.mangled:
                    flash(mangled_note(), "info")
                return redirect(garment_url(outcome.code))
            problem, status = gettext("No garment with code %(code)s.", code=outcome.code), 404
        else:
            problem, status = not_a_label_message(outcome), 422
    return render_template("scan/index.html", problem=problem), status


@bp.get("/scan/batch")
@allow()
def batch() -> Any:
    role = current_user.role
    actions = batches.batch_actions_for(role)
    locations = queries.active_locations(db())
    partners = queries.rental_partners(db())
    today = local_date(now())
    default_days = partners[0].default_rental_days if partners else 10
    return render_template(
        "scan/batch.html",
        actions=[(a.value, action_label(a)) for a in actions],
        fields_for={a.value: " ".join(DETAIL_FIELDS.get(a, ("note",))) for a in actions},
        stock_places=[p for p in locations if p.kind in (LocationKind.STORE, LocationKind.WAREHOUSE,
                                                         LocationKind.OUTLET)],
        outlets=[p for p in locations if p.kind is LocationKind.OUTLET],
        partners=partners,
        due_on=(today + dt.timedelta(days=default_days)).isoformat(),
        today=today.isoformat(),
        care_kinds=list(CareKind), care_outcomes=list(CareOutcome), retire_routes=list(RetireRoute),
        grounds=list(DestructionGround), write_off_reasons=list(WriteOffReason),
        max_batch=batches.MAX_BATCH, max_scans=batches.MAX_SCANS,
    )


#: What the self-test code holds: the digits, letters and signs that differ between US and AZERTY
SELFTEST_TEXT = "Test-0123456789-aqwzm-AQWZM-:/.,"


@bp.get("/scan/selftest")
@allow()
def selftest() -> Any:
    svg = str(labels.qr_image(SELFTEST_TEXT, kind="svg", module_px=6))
    data_uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return render_template("scan/selftest.html", test_text=SELFTEST_TEXT,
                           test_mangled=mangle_azerty(SELFTEST_TEXT), test_qr=data_uri)


# --- helpers shared by pages and API -------------------------------------------------------------

def not_a_label_message(outcome: NotALabel) -> str:
    return gettext(outcome.message, **outcome.params) if outcome.params else gettext(outcome.message)


def find_scanned(code: str) -> queries.ScannedGarment | None:
    return queries.scanned_garment(db(), code)


def mangled_note() -> str:
    return gettext("Your scanner typed this with a US keyboard layout on a Belgian (AZERTY) "
                   "keyboard; cksloop read it back. Set the scanner to Belgian AZERTY: see the "
                   "scanner self-test.")
