"""Every route of the app with real arguments: for tests that walk the whole URL map.

URL arguments are filled with real rows by argument name (and, where a name means different
things, by the literal path before it). A route with an argument nobody taught this file to
fill is reported by name, so tests built on it fail loudly instead of silently skipping it.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from cksloop.domain.labels import gtin14
from cksloop.domain.lifecycle import Action, GarmentState, Role
from cksloop.services import accounts, buyer_lots, buyers, offcut_lots, tokens
from tests.builders import STORE, make_garment, make_user
from tests.conftest import csrf_from, sign_in

ANONYMOUS = "anonymous"
SIGN_IN_PATH = "/login"
SIGNS_OUT = {"auth.logout"}
UNKNOWN_API_URL = "api.unknown"  # its job is to end the session and show the sign-in page


@dataclass
class Values:
    """Real rows the URL arguments point at, made on first use for the test's database."""

    session: Session
    app: Flask
    now: dt.datetime
    world: dict[str, Any]
    _photo_id: int | None = field(default=None)

    def garment_code(self) -> str:
        # a fresh piece in stock for every rule, so one route's write cannot spoil the next
        return make_garment(self.session, now=self.now).code

    def lot_code(self) -> str:
        # a fresh offcut lot for every rule, as for garments
        organiser = make_user(self.session, Role.WORKSHOP_ORGANISER)
        return offcut_lots.create(self.session, actor=organiser, now=self.now, details={
            "material": "denim", "composition": [{"fibre": "cotton", "pct": 100}], "colour": "indigo",
            "weight_g": 500, "location": STORE})["code"]

    def user_id(self) -> str:
        # a fresh user for every rule: deactivating or resetting one must not spoil the next
        return str(make_user(self.session, Role.STORE_STAFF).id)

    def token_id(self) -> str:
        user = make_user(self.session, Role.STORE_STAFF)
        tokens.create_token(self.session, email=user.email, now=self.now)
        return str(max(t.id for t in tokens.list_tokens(self.session, email=user.email)))

    def buyer_id(self) -> str:
        buyer = buyers.create_buyer(self.session, name="Opkoop NV", vat_number="BE0417497106", country="BE",
                                    contact_email="inkoop@opkoop.example", now=self.now)
        buyers.add_contract(self.session, buyer_id=buyer.id, valid_from=self.now.date(), valid_to=None,
                            restrictions=buyers.Restrictions(), actor_id=None, now=self.now)
        return str(buyer.id)

    def lot_id(self) -> str:
        # a fresh draft lot for every rule: confirming or cancelling one must not spoil the next
        actor = make_user(self.session, Role.MERCHANDISER)
        return str(buyer_lots.create_lot(
            self.session, buyer_id=int(self.buyer_id()), destination_country="NL", end_use=buyer_lots.EndUse.REUSE,
            planned_ship_on=self.now.date(), codes=[self.garment_code()], actor=actor, now=self.now))

    def review_id(self) -> str:
        # a decision's URL fills <decision_id> first (arguments in name order) and leaves its review here
        made = self.world.pop("overstock_review_id", None)
        if made is not None:
            return made
        from cksloop.services import overstock_reviews

        merch = make_user(self.session, Role.MERCHANDISER)
        make_garment(self.session, now=self.now)
        return str(overstock_reviews.open_review(self.session, season="SS25", as_of=None, actor=merch,
                                                 now=self.now).id)

    def decision_id(self) -> str:
        # a fresh "hold" decision (executing it writes no garment event) in a fresh review
        from cksloop.services import overstock_reviews

        review_id = self.review_id()
        merch = make_user(self.session, Role.MERCHANDISER)
        decision = overstock_reviews.record_decision(self.session, review_id=int(review_id), actor=merch, now=self.now,
                                                     raw={"style": "SS25-0101", "decision": "hold", "reason": "matrix"})
        self.world["overstock_review_id"] = review_id
        return str(decision.id)

    def workshop_id(self) -> str:
        # a fresh workshop that started an hour ago, so logging it reaches the log's own checks
        from cksloop.services import workshops

        organiser = make_user(self.session, Role.WORKSHOP_ORGANISER)
        return str(workshops.plan(self.session, store=STORE, starts_at=self.now - dt.timedelta(hours=1),
                                  theme="Pouches", capacity=10, organiser=None, actor=organiser, now=self.now)["id"])

    def project_id(self) -> str:
        # a remanufacturing project holding grams of a fresh lot, at a partner location
        from cksloop.services import remanufacturing

        organiser = make_user(self.session, Role.WORKSHOP_ORGANISER)
        return str(remanufacturing.start(self.session, partner_location="DRESSR-ANT", name="Blazers",
                                         lots=[{"code": self.lot_code(), "grams": 100}], actor=organiser,
                                         now=self.now)["id"])

    def photo_id(self) -> str:
        if self._photo_id is None:
            self._photo_id = _make_defect_photo(self)
        return str(self._photo_id)


def _make_defect_photo(values: Values) -> int:
    from PIL import Image

    from cksloop.db.models import DefectPhoto
    from cksloop.services import rentals

    garment = make_garment(values.session, state=GarmentState.RENTED_OUT, now=values.now)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(buffer, "JPEG")
    clerk = make_user(values.session, Role.STORE_STAFF)
    rentals.record_return(values.session, code=garment.code, actor=clerk, now=values.now,
                          details={"reason": "quality_return", "grade": "B",
                                   "defects": [{"code": "SNAG", "zone": "sleeve", "severity": 2}]},
                          photos={0: buffer.getvalue()}, upload_dir=values.app.config["UPLOAD_DIR"])
    photo_id = values.session.scalar(select(DefectPhoto.id))
    assert photo_id is not None
    return photo_id


def _action_for(role: Role | str) -> str:
    # an action the role may take that needs details: posted without them it is refused as 422,
    # so the matrix checks the guard without changing the garment
    return Action.RETIRE.value if role == Role.WORKSHOP_ORGANISER else Action.TRANSFER.value


Filler = Callable[[str, Values, "Role | str"], "str | None"]

#: how to fill each URL argument: (argument name) → function of (path before it, values, role);
#: a filler answers None when it does not know what the argument means on that path
FILLERS: dict[str, Filler] = {
    "code": lambda prefix, v, role: (
        STORE if prefix.startswith("/locations/")
        else v.garment_code() if prefix.startswith(("/garments/", "/api/v1/garments/", "/rentals/", "/g/",
                                                     "/01/", "/labels/"))
        else v.lot_code() if prefix.startswith(("/api/v1/offcut-lots/", "/offcuts/", "/r/"))
        else None),
    "serial": lambda prefix, v, role: v.garment_code() if prefix.startswith("/01/") else None,
    "gtin": lambda prefix, v, role: gtin14(v.world["dress"].sizes[1].gtin) if prefix.startswith("/01/") else None,
    "style_number": lambda prefix, v, role: v.world["dress"].style_number,
    "season": lambda prefix, v, role: v.world["dress"].season if prefix.startswith("/overstock/") else None,
    "action": lambda prefix, v, role: (_action_for(role) if prefix.startswith("/garments/")
                                       else "consume" if prefix.startswith("/offcuts/") else None),
    "lang": lambda prefix, v, role: "en",
    "partner_id": lambda prefix, v, role: str(v.world["partner"].id),
    "photo_id": lambda prefix, v, role: v.photo_id(),
    "filename": lambda prefix, v, role: "css/app.css" if prefix == "/static/" else None,
    "location_code": lambda prefix, v, role: STORE,
    "user_id": lambda prefix, v, role: v.user_id() if prefix.startswith("/admin/users/") else None,
    "token_id": lambda prefix, v, role: v.token_id() if prefix.startswith("/admin/users/") else None,
    "buyer_id": lambda prefix, v, role: v.buyer_id(),
    "lot_id": lambda prefix, v, role: v.lot_id(),
    "review_id": lambda prefix, v, role: v.review_id() if "/overstock/reviews/" in prefix else None,
    "decision_id": lambda prefix, v, role: v.decision_id() if "/overstock/reviews/" in prefix else None,
    # issue 14's proof, contract documents and discard evidence: a number that may not exist (404 is
    # an answer the matrix accepts; the guard runs first)
    "proof_id": lambda prefix, v, role: "1",
    "version": lambda prefix, v, role: "1" if prefix.startswith("/api/v1/buyers/") else None,
    "evidence_id": lambda prefix, v, role: "1",
    "workshop_id": lambda prefix, v, role: v.workshop_id(),
    "project_id": lambda prefix, v, role: v.project_id(),
    "figure": lambda prefix, v, role: ("workshops_held" if prefix == "/workshops/figures/"
                                       else "rental_cycles" if "/reports/charter/drill/" in prefix else None),
    "section": lambda prefix, v, role: "rental" if "/reports/charter/drill/" in prefix else None,
}


def rules(app: Flask) -> list[tuple[Rule, str]]:
    """(rule, method) pairs: GET where the rule answers GET, else each state-changing method."""
    pairs = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == UNKNOWN_API_URL:
            continue  # serves no resource: the API's own 404/405 (tests/web/test_api_auth.py)
        methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        chosen = ["GET"] if "GET" in methods else sorted(methods)
        pairs.extend((rule, method) for method in chosen)
    # signing out last, so it does not sign the role out of the routes after it
    return sorted(pairs, key=lambda p: (p[0].endpoint == "auth.logout", p[0].rule, p[1]))


def prefix_before(rule: Rule, argument: str) -> str:
    """The literal path before ``argument``'s placeholder, e.g. "/locations/" for <code>."""
    match = re.search(r"<(?:[^:<>]+:)?" + re.escape(argument) + r">", rule.rule)
    assert match, (rule.rule, argument)
    return re.sub(r"<[^>]+>", "*", rule.rule[:match.start()])


def url_for_rule(rule: Rule, values: Values, role: Role | str) -> tuple[str | None, str]:
    """The rule's URL with its arguments filled, or None and the reason."""
    filled: dict[str, str] = {}
    for argument in sorted(rule.arguments):
        filler = FILLERS.get(argument)
        value = filler(prefix_before(rule, argument), values, role) if filler else None
        if value is None:
            return None, f"{rule.rule} ({rule.endpoint}): no filler for <{argument}> after " \
                         f"{prefix_before(rule, argument)!r}; add one to FILLERS in tests/route_map.py"
        filled[argument] = value
    url = rule.rule
    for argument, value in filled.items():
        url = re.sub(r"<(?:[^:<>]+:)?" + re.escape(argument) + r">", value, url)
    return url, ""


class Caller:
    """One role's way in: a signed-in test client for pages, a bearer token for the API."""

    def __init__(self, app: Flask, session: Session, role: Role | str, now: dt.datetime):
        self.client = app.test_client()
        self.token: str | None = None
        if role == ANONYMOUS:
            self.user = None
        else:
            self.user = make_user(session, role)
            assert sign_in(self.client, self.user.email).status_code == 302
            self.token = tokens.create_token(session, email=self.user.email, label="matrix", now=now)
        self.csrf = csrf_from(self.client.get(SIGN_IN_PATH if role == ANONYMOUS else "/").get_data(as_text=True))

    def ask(self, method: str, url: str) -> Any:
        if url.startswith("/api/"):
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            if method == "GET":
                return self.client.get(url, headers=headers)
            return self.client.open(url, method=method, json={}, headers=headers)
        if method == "GET":
            return self.client.get(url)
        return self.client.open(url, method=method, data={"csrf_token": self.csrf})
