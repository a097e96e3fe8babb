"""Garments: find them, read a garment's history, and take the actions the lifecycle allows now."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime, gettext
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy.orm import Session

from cksloop.db import queries
from cksloop.db.models import Garment
from cksloop.domain import lifecycle
from cksloop.domain.clock import local_date
from cksloop.domain.errors import (DomainError, IllegalTransition, InvalidDetails, NotFound,
                                   NotPermitted, VersionConflict)
from cksloop.domain.disclosure import check_discard
from cksloop.domain.lifecycle import Action, GarmentState, RetireRoute
from cksloop.domain.messages import N_
from cksloop.domain.sale_price import FREE_PRICERS
from cksloop.domain.scanning import ScannedLabel, parse_scan
from cksloop.services import garments as garment_service
from cksloop.services import discard_evidence, rentals, stored_files
from cksloop.web.database import db, memory, now
from cksloop.web.errors import status_for
from cksloop.web.garments.forms import (ACTION_FORMS, SCREEN_ACTIONS, ActionForm, GarmentFilterForm, SellForm,
                                        euros)
from cksloop.web.garments import export as garment_export
from cksloop.web.garments.history import history_lines
from cksloop.web.guards import allow, roles_for
from cksloop.web import fragments
from cksloop.web.i18n import action_label, language, money, state_label, translate_error
from cksloop.web.vocabulary import keys_named

bp = Blueprint("garments", __name__)

#: the likeliest next step, first one allowed wins: it gets the page's one primary button
PRIMARY_ORDER = [Action.RETURN_RENTAL, Action.RECEIVE_RENTAL_RETURN, Action.INSPECT,
                 Action.FINISH_CARE, Action.CHECK_OUT_RENTAL, Action.SELL, Action.CUSTOMER_RETURN,
                 Action.SHIP_TO_BUYER, Action.RECEIVE]
#: shown last and marked as such: they take the garment out of the loop
FINAL_ACTIONS = {Action.RETIRE, Action.WRITE_OFF}
MAX_CODE_LENGTH = 40
#: what a fresh action form's fragment leaves open (cksloop.web.fragments): the garment's URL and version
ACTION_URL = "cksloop-fragment-action-url"
VERSION = "cksloop-fragment-version"


@bp.context_processor
def _page_helpers() -> dict[str, Any]:
    return {"format_date": format_date, "today": local_date(now())}


@bp.get("/garments")
@allow()
def index() -> Any:
    session = db()
    form, search, reading = _search_form(session)
    if search is None:
        return render_template("garments/index.html", form=form, results=None, page_url=None), 400
    results = queries.search_garments(session, search=search, page=form.page.data or 1)
    kept = {k: v for k, v in request.args.items() if k != "page" and v}

    def page_url(number: int) -> str:
        return url_for("garments.index", **kept, page=number)

    # the label print page takes the same filters, so a search result prints as it is shown
    print_filters = {k: v for k, v in kept.items()
                     if k in ("state", "location", "style", "season", "q", "overdue")}
    return render_template("garments/index.html", form=form, results=results, page_url=page_url,
                           overdue=search.overdue_on is not None, print_filters=print_filters, reading=reading,
                           export_filters=kept)


@bp.get("/garments.csv")
@allow()
def export_csv() -> Any:
    return _export("csv")


@bp.get("/garments.xlsx")
@allow()
def export_xlsx() -> Any:
    return _export("xlsx")


def _export(kind: str) -> Any:
    """The filtered list as a file, every garment the filters find (not one page)."""
    session = db()
    form, search, _reading = _search_form(session)
    if search is None:
        return render_template("garments/index.html", form=form, results=None, page_url=None), 400
    filters = _named_filters(form)
    rows = queries.export_garments(session, search=search)
    body = garment_export.as_xlsx(filters, rows) if kind == "xlsx" else garment_export.as_csv(filters, rows)
    mimetype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if kind == "xlsx"
                else "text/csv; charset=utf-8")
    response = Response(body, mimetype=mimetype)
    stamp = now().strftime("%Y%m%d-%H%M")
    response.headers["Content-Disposition"] = f'attachment; filename="cksloop-garments-{stamp}.{kind}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _search_form(session: Session) -> tuple[GarmentFilterForm, queries.GarmentSearch | None,
                                             tuple[str, str] | None]:
    """The list's filters from the query string; no search when they are not valid."""
    form = GarmentFilterForm(formdata=request.args)
    form.bind_choices(locations=queries.active_locations(session, active_only=False),
                      seasons=queries.seasons(session))
    valid = form.validate()
    style_number = (form.style.data or "").strip()
    if valid and style_number and queries.style_by_number(session, style_number) is None:
        form.style.errors.append(gettext("No style with number %(number)s.", number=style_number))
        valid = False
    if not valid:
        return form, None, None
    text, reading = _read_search((form.q.data or "").strip())
    return form, queries.GarmentSearch(
        state=GarmentState(form.state.data) if form.state.data else None,
        location_code=form.location.data or None,
        style_number=style_number or None,
        season=form.season.data or None,
        text=text or None,
        overdue_on=local_date(now()) if form.overdue.data else None,
        sort=form.sort.data or None,
        names={word: keys for word in (text or "").split() if (keys := keys_named(word))},
    ), reading


def _named_filters(form: GarmentFilterForm) -> list[tuple[str, str]]:
    """The filters as a person reads them, for the top of an exported file."""
    named = [(gettext("Exported"), format_datetime(now(), "medium"))]
    for field in (form.q, form.state, form.location, form.style, form.season, form.sort):
        if field.data:
            shown = dict((str(c.value), str(c.label)) for c in field.choices) if hasattr(field, "choices") else {}
            named.append((str(field.label.text), shown.get(field.data, field.data)))
    if form.overdue.data:
        named.append((str(form.overdue.label.text), gettext("yes")))
    if len(named) == 1:
        named.append((gettext("Filters"), gettext("none: every garment")))
    return named


def _read_search(typed: str) -> tuple[str, tuple[str, str] | None]:
    """The search text, with a scanned or typed label read as its code by the scan page's parser
    (CKS-49, a GS1 element string, a label URL); and (typed, code) when it was read differently.
    A bare number stays text: it may be a size or a style number as well as a code."""
    if not typed or typed.isdigit():
        return typed, None
    outcome = parse_scan(typed, base_url=current_app.config["BASE_URL"])
    if isinstance(outcome, ScannedLabel) and outcome.code != typed:
        return outcome.code, (typed, outcome.code)
    return typed, None


@bp.get("/garments/<code>")
@allow()
def detail(code: str) -> Any:
    return _render_detail(db(), _garment_or_404(db(), code))


@bp.post("/garments/<code>/actions/<action>")
@allow()
def act(code: str, action: str) -> Any:
    session = db()
    chosen = _action_or_404(action)
    garment = _garment_or_404(session, code)
    role = current_user.role
    form = ACTION_FORMS[chosen]()
    _bind(session, form, garment)
    # refuse in the order that helps most: a stale page first, then role, then state
    refusal: DomainError | None = None
    seen = _posted_version()
    if seen is not None and seen != garment.version:
        refusal = _version_conflict(garment, seen)
    elif not lifecycle.may(role, chosen):
        refusal = NotPermitted(action=chosen.value, role=role.value,
                               roles=sorted(r.value for r in lifecycle.RULES[chosen].roles))
    elif chosen not in lifecycle.allowed_actions(garment.state, role):
        refusal = IllegalTransition(action=chosen.value, state=_state_value(garment),
                                    allowed=[a.value for a in lifecycle.allowed_actions(garment.state, role)])
    if refusal is not None:
        return _render_detail(session, garment, problem=_problem(refusal), status=status_for(refusal))
    if not form.validate():
        problem = Problem(gettext("Some details are missing or wrong."))
        return _render_detail(session, garment, posted=form, problem=problem, status=422)
    if _price_needs_confirmation(form, garment):
        return _render_detail(session, garment, posted=form, status=422)
    try:
        details = form.details()
        if chosen is Action.RETIRE:
            details = _with_discard_evidence(session, form, details)
        result = garment_service.act(session, code=garment.code, action=chosen, details=details,
                                     actor=current_user.user, now=now(),
                                     expected_version=form.expected_version.data)
    except InvalidDetails as error:
        for name, message in error.field_errors.items():
            target = form.field_for(name.split(".")[0])
            if target is not None:
                target.errors = [*target.errors, gettext(message)]
            else:
                form.form_errors.append(gettext(message))
        garment = _garment_or_404(session, code)
        return _render_detail(session, garment, posted=form, problem=_problem(error), status=422)
    except (IllegalTransition, VersionConflict, NotPermitted) as error:
        garment = _garment_or_404(session, code)
        return _render_detail(session, garment, problem=_problem(error), status=status_for(error))
    flash(_done_message(session, chosen, result), "success")
    return redirect(url_for("garments.detail", code=result.code), 303)


def _price_needs_confirmation(form: ActionForm, garment: Garment) -> bool:
    """A sale at a typed price other than the current one is asked back once, naming both prices.

    Store staff are bound by the sale price rule (a discount within the limit, with a reason, which
    is their confirmation); merchandisers and admins may type any price, so a typo is asked back."""
    if not isinstance(form, SellForm) or form.confirm_price.data or current_user.role not in FREE_PRICERS:
        return False
    typed = form.price.cents
    if typed is None or typed == garment.price_cents:
        return False
    form.asks_price_confirmation = True
    form.price.errors = [*form.price.errors, gettext(
        "The current price is %(price)s and you typed %(typed)s. Tick the box to sell at %(typed)s, "
        "or empty the field to sell at the current price.", price=money(garment.price_cents), typed=money(typed))]
    return True
def _with_discard_evidence(session: Session, form: Any, details: dict[str, Any]) -> dict[str, Any]:
    """A discard's evidence is stored before the garment is retired, and only for a lawful ground,
    so a refused ground leaves nothing behind (EU Regulation 2024/1781; Delegated Regulation 2026/296)."""
    upload = form.evidence_file.data
    if details.get("route") != RetireRoute.RECYCLING.value or not upload or not upload.filename:
        return details
    check_discard(ground=details.get("ground"), evidence=upload.filename)
    evidence = discard_evidence.keep(session, filename=upload.filename, raw=upload.read(stored_files.MAX_BYTES + 1),
                                     upload_dir=str(current_app.config["UPLOAD_DIR"]), actor=current_user.user,
                                     now=now())
    return {**details, "evidence": evidence.id}


def _done_message(session: Session, action: Action, result: garment_service.ActionResult) -> str:
    """What happened, in the retailer's words: "CKS-00046 now costs €59,95"."""
    code, price = result.code, money(result.price_cents) if result.price_cents is not None else None
    if action is Action.MARK_DOWN and price:
        return gettext("%(code)s now costs %(price)s.", code=code, price=price)
    if action is Action.SELL and price:
        return gettext("%(code)s is sold for %(price)s.", code=code, price=price)
    if action in (Action.TRANSFER, Action.MOVE_TO_OUTLET) and result.location:
        found = queries.location_by_code(session, result.location)
        place = found.name if found else result.location
        return gettext("%(code)s is now at %(place)s.", code=code, place=place)
    return gettext("%(code)s is now %(state)s.", code=code, state=state_label(GarmentState(result.state)))


# --- the garment page ------------------------------------------------------------------------


@dataclass
class Problem:
    """Why the last action did not happen, for the box at the top of the page."""

    message: str
    allowed: list[str] | None = None  # None: the refusal is not about the garment's state
    conflict: bool = False


@dataclass
class QuickAction:
    """The common case after a scan, one tap: a sale at the current price, a return graded A."""

    label: str
    url: str
    fields: dict[str, str]


@dataclass
class ActionItem:
    action: Action
    label: str
    form: ActionForm | None = None
    screen_url: str | None = None  # actions with their own screen (return, inspection)
    primary: bool = False
    final: bool = False
    open: bool = False
    html: Markup | None = None  # a fresh form, filled in from its rendered fragment


def _render_detail(session: Session, garment: Garment, *, posted: ActionForm | None = None,
                   problem: Problem | None = None, status: int = 200) -> Any:
    entries = queries.garment_history(session, garment.id)
    names = queries.names_in_details(session, entries, known=memory().names.get(session))
    rental = queries.open_rental(session, garment.id) if garment.state is GarmentState.RENTED_OUT else None
    actions = _action_items(session, garment, posted)
    quick = _quick_actions(garment, actions) if problem is None and posted is None else []
    style = garment.style
    life = (rentals.garment_rental_summary(session, garment.id, now=now())
            if any(entry.action in lifecycle.RENTAL_LIFE_ACTIONS for entry in entries)
            else rentals.GarmentRentalSummary.none())
    return render_template(
        "garments/detail.html", garment=garment, style=style, gtin=style.gtin_for(garment.size),
        # newest first: the present is what a person on the shop floor came for
        history=history_lines(entries, names)[::-1], rental=rental, actions=actions, problem=problem,
        # a photo belongs to a defect an inspection recorded in its event's details: without
        # one there is nothing to look up (most garments: one statement fewer)
        photos=(queries.defect_photos_by_event(session, garment.id)
                if any(entry.details.get("defects") for entry in entries) else {}),
        life=life, quick=quick,
    ), status


def _quick_actions(garment: Garment, actions: list[ActionItem]) -> list[QuickAction]:
    """One-tap buttons for the common case; the full forms stay below for everything else."""
    allowed = {item.action for item in actions}
    version = str(garment.version)
    quick: list[QuickAction] = []
    if Action.RETURN_RENTAL in allowed and _may_open("rentals.return_form"):
        quick.append(QuickAction(
            gettext("Returned fine: grade A, no defects"), url_for("rentals.return_form", code=garment.code),
            {"expected_version": version, "reason": "end_of_rental", "grade": "A", "quick": "1"}))
    if Action.SELL in allowed and garment.price_cents:
        quick.append(QuickAction(
            gettext("Sell at %(price)s", price=money(garment.price_cents)),
            url_for("garments.act", code=garment.code, action=Action.SELL.value),
            {"expected_version": version, "quick": "1"}))
    return quick


def _action_items(session: Session, garment: Garment, posted: ActionForm | None) -> list[ActionItem]:
    allowed = lifecycle.allowed_actions(garment.state, current_user.role)
    items: list[ActionItem] = []
    for action in allowed:
        item = ActionItem(action, action_label(action), final=action in FINAL_ACTIONS)
        if action in SCREEN_ACTIONS:
            endpoint = SCREEN_ACTIONS[action]
            if not _may_open(endpoint):
                continue  # the screen is not there (yet) for this user
            item.screen_url = url_for(endpoint, code=garment.code)
        elif action in ACTION_FORMS:
            if posted is not None and posted.action is action:
                item.form, item.open = posted, True
        else:
            continue
        items.append(item)
    for action in PRIMARY_ORDER:
        chosen = next((i for i in items if i.action is action), None)
        if chosen is not None:
            chosen.primary = True
            break
    for item in items:
        if item.screen_url is None and item.form is None:
            item.html = _fresh_form_html(session, item, garment)
    # the form that needs correcting first, then the primary action, the ones that end the loop
    # last; otherwise the lifecycle's order (the sort is stable)
    items.sort(key=lambda i: (not i.open, not i.primary, i.final))
    return items


def _fresh_form_html(session: Session, item: ActionItem, garment: Garment) -> Markup:
    """The action's fresh form for this garment, from the fragment rendered for forms like it (a
    form sent back with errors is rendered live: its values and messages are the reader's own)."""
    action = item.action
    cls = ACTION_FORMS[action]
    defaults = _form_defaults(session, action, garment)
    cache = fragments.cache()
    # everything the rendered form depends on but the code, the CSRF token and the version
    here = garment.location.code if garment.location and "to_location" in cls.place_fields else None
    chooses = bool(cls.place_fields) or getattr(cls, "partner", None) is not None
    key = (action, current_user.role, language(), item.primary, item.final, tuple(sorted(defaults.items())),
           here, _choice_set(session, cache) if chooses else None)

    def render() -> str:
        item.form = ACTION_FORMS[action](formdata=None, **defaults)
        _bind(session, item.form, garment)
        return render_template("garments/_action_form.html", fragment_item=item,
                               action_url=ACTION_URL, csrf=fragments.CSRF, version=VERSION)

    fragment = cache.html(("garment action form", *key), render)
    item.form = None  # rendered; the page shows the filled-in fragment
    return fragments.fill(fragment, {
        ACTION_URL: url_for("garments.act", code=garment.code, action=action.value),
        fragments.CSRF: generate_csrf(), VERSION: str(garment.version)})


def _choice_set(session: Session, cache: fragments.FragmentCache) -> int:
    """The request's location and partner choices, as the number the fragment keys know them by."""
    if "garment_choice_set" not in g:
        g.garment_choice_set = cache.choice_set((_locations(session), _partners(session)))
    return g.garment_choice_set


def _form_defaults(session: Session, action: Action, garment: Garment) -> dict[str, Any]:
    """What a fresh form of ``action`` shows filled in (the version apart)."""
    defaults: dict[str, Any] = {}
    home = current_user.home_location.code if current_user.home_location else None
    cls = ACTION_FORMS[action]
    if "location" in cls.place_fields and home:
        defaults["location"] = home
    if action is Action.CHECK_OUT_RENTAL:
        partners = _partners(session)
        days = partners[0].default_rental_days if len(partners) == 1 else 10
        if len(partners) == 1:
            defaults["partner"] = str(partners[0].id)
        defaults["due_on"] = local_date(now()) + dt.timedelta(days=days)
    if action is Action.RECEIVE:
        defaults["price"] = euros(garment.style.retail_price_cents)
    return defaults


def _bind(session: Session, form: ActionForm, garment: Garment) -> None:
    form.bind_choices(locations=_locations(session), partners=_partners(session),
                      current_location=garment.location.code if garment.location else None)


def _locations(session: Session) -> tuple[queries.LocationChoice, ...]:
    # kept by the worker (cksloop.services.remembered): the same on every form of every page
    return memory().active_locations.get(session)


def _partners(session: Session) -> tuple[queries.PartnerChoice, ...]:
    return memory().rental_partners.get(session)


def _may_open(endpoint: str) -> bool:
    """Whether the endpoint exists and the user's role may open it (False before it is built)."""
    roles = roles_for(endpoint)
    return roles is None or current_user.role in roles


def _problem(error: DomainError) -> Problem:
    allowed = error.details.get("allowed_actions")
    labels = [action_label(a) for a in allowed] if isinstance(allowed, list) else None
    return Problem(translate_error(error), labels, conflict=isinstance(error, VersionConflict))


def _version_conflict(garment: Garment, seen: int) -> VersionConflict:
    return VersionConflict(expected=seen, current=garment.version, state=_state_value(garment) or "new",
                           allowed=[a.value for a in lifecycle.allowed_actions(garment.state, current_user.role)])


def _state_value(garment: Garment) -> str | None:
    return garment.state.value if garment.state else None


def _posted_version() -> int | None:
    raw = request.form.get("expected_version", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 10 else None


def _garment_or_404(session: Session, code: str) -> Garment:
    garment = None
    # a NUL byte or a novel-length "code" is no garment: do not even ask the database
    if len(code) <= MAX_CODE_LENGTH and code.isprintable():
        garment = queries.garment_by_code(session, code)
    if garment is None:
        raise NotFound(N_("No garment with code %(code)s."), code=code)
    return garment


def _action_or_404(name: str) -> Action:
    try:
        action = Action(name)
    except ValueError:
        abort(404)
    if action not in ACTION_FORMS:
        abort(404)  # the return and inspection screens live with the rentals pages
    return action
