"""Forms of the garment pages: the list's filters and one form per lifecycle action.

The forms check the *shape* of what was typed (required, lengths, numbers, dates, known choices);
the lifecycle rules decide whether the action is allowed and whether its details make sense.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, Field, IntegerField, StringField,
                     TextAreaField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from cksloop.db.queries import MAX_PAGE, LocationChoice, PartnerChoice
from cksloop.domain.destinations import ALLOWED_USES, EU_EEA, OTHER_OECD, EndUse
from cksloop.domain.lifecycle import (Action, CareKind, CareOutcome, DestructionGround, GarmentState,
                                      LocationKind, RetireRoute, WriteOffReason)
from cksloop.domain.messages import LabelledEnum
from cksloop.domain.sale_price import DiscountReason
from cksloop.web.fields import SelectField, option

MAX_EUROS = Decimal("100000")  # the lifecycle refuses prices above 10,000,000 cents


def no_control_characters(form: Any, field: Field) -> None:
    """Refuse control characters (a NUL byte would even break a PostgreSQL query)."""
    value = field.data
    if isinstance(value, str) and any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        raise ValidationError(_l("Contains characters that cannot be typed."))


class EuroField(StringField):
    """An amount in euros as people type it ("12,50", "12.50", "€ 12"), kept as whole cents."""

    cents: int | None = None

    def __init__(self, *args: Any, price: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)
        self.price = price  # a price is never €0; a cost may be

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.cents = None
        text = (self.data or "").strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
        if not text:
            self.data = ""
            return
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(_l("Type an amount in euros, e.g. 49,95.")) from None
        if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(_l("Type an amount in euros with at most two decimals."))
        if amount < 0 or amount > MAX_EUROS:
            raise ValueError(_l("The amount must be between 0 and 100,000 euros."))
        if self.price and amount == 0:
            raise ValueError(_l("A garment cannot cost €0: type its price in euros, e.g. 49,95."))
        self.cents = int(amount * 100)


def euros(cents: int | None) -> str:
    """Cents as the plain amount a euro field shows ("49.95")."""
    return "" if cents is None else f"{cents // 100}.{cents % 100:02d}"


def _note() -> TextAreaField:
    return TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000),
                                                             no_control_characters])


def _enum_choices(members: Iterable[LabelledEnum], *, placeholder: Any) -> list[Any]:
    # a member's label is translated when the form is rendered, in the reader's language
    return [option("", placeholder)] + [option(member.value, member.label) for member in members]


STOCK_KINDS = (LocationKind.STORE, LocationKind.WAREHOUSE, LocationKind.OUTLET)
SELLING_KINDS = (LocationKind.STORE, LocationKind.OUTLET)


# --- the garment list's filters ------------------------------------------------------------


class GarmentFilterForm(FlaskForm):
    """The filters of the garment list, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Code, style, colour or size"), validators=[Optional(), Length(max=60), no_control_characters])
    state = SelectField(_l("State"), default="", choices=_enum_choices(GarmentState, placeholder=_l("any state")))
    location = SelectField(_l("Location"), default="", choices=[option("", _l("any location"))])
    style = StringField(_l("Style number"), validators=[Optional(), Length(max=40), no_control_characters])
    season = SelectField(_l("Season"), default="", choices=[option("", _l("any season"))])
    overdue = BooleanField(_l("Only overdue rentals"), false_values=("", "0", "false", "no", "off"))
    sort = SelectField(_l("Sort by"), default="", choices=[
        option("", _l("order received")), option("code", _l("code")), option("style", _l("style")),
        option("size", _l("size")), option("colour", _l("colour")), option("location", _l("location")),
        option("price", _l("price, lowest first")), option("-price", _l("price, highest first")),
        option("state", _l("state"))])
    page = IntegerField(_l("Page"), widget=HiddenInput(),
                        validators=[Optional(), NumberRange(min=1, max=MAX_PAGE)])

    def bind_choices(self, *, locations: Sequence[LocationChoice], seasons: Sequence[str]) -> None:
        self.location.choices = [option("", _l("any location"))] + [
            option(loc.code, f"{loc.name} ({loc.city})") for loc in locations]
        self.season.choices = [option("", _l("any season"))] + [option(s, s) for s in seasons]


# --- one form per action --------------------------------------------------------------------


# Select fields carry no Optional(): it would wave through a value of blanks that is none of
# the choices; the empty choice is what "not chosen" looks like.


@lru_cache(maxsize=4096)
def _place_option(value: str, name: str, city: str | None) -> Any:
    # the same choices on every form of every garment page: built once, never changed by WTForms
    return option(value, f"{name} ({city})" if city is not None else name)


class ActionForm(FlaskForm):
    """What every action form shares: the version the person saw, and how to read the details."""

    uploads = False  # True: the form sends a file (multipart)

    expected_version = IntegerField(widget=HiddenInput(),
                                    validators=[InputRequired(), NumberRange(min=0, max=10**9)])

    action: Action
    #: the location select fields and the kinds of location each may name
    place_fields: dict[str, tuple[LocationKind, ...]] = {}
    #: form field → detail name, where they differ (prices are typed in euros, stored in cents)
    detail_names = {"price": "price_cents", "cost": "cost_cents"}

    def bind_choices(self, *, locations: Sequence[LocationChoice], partners: Sequence[PartnerChoice],
                     current_location: str | None) -> None:
        for name, kinds in self.place_fields.items():
            field = self[name]
            exclude_here = name == "to_location"
            field.choices = [option("", _l("choose a location"))] + [
                _place_option(loc.code, loc.name, loc.city) for loc in locations
                if loc.kind in kinds and not (exclude_here and loc.code == current_location)]
        if "partner" in self:
            self["partner"].choices = [option("", _l("choose a rental partner"))] + [
                _place_option(str(p.id), p.name, None) for p in partners]

    def details(self) -> dict[str, Any]:
        """The action's details as the lifecycle rules read them."""
        out: dict[str, Any] = {}
        for field in self:
            if field.name in ("expected_version", "csrf_token"):
                continue
            value: Any = field.cents if isinstance(field, EuroField) else field.data
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                value = value.isoformat()
            if field.name == "partner":
                value = int(value)  # one of the partner choices: digits, checked by the field
            out[self.detail_names.get(field.name, field.name)] = value
        return out

    def field_for(self, detail: str) -> Field | None:
        """The field a lifecycle error about ``detail`` belongs to (None: an error of the whole form)."""
        reverse = {v: k for k, v in self.detail_names.items()}
        name = reverse.get(detail, detail)
        return self[name] if name in self else None


def _location_select(label: Any, *, required: bool = True) -> SelectField:
    return SelectField(label, choices=[option("", "")], default="",
                       validators=[InputRequired()] if required else [])


class ReceiveForm(ActionForm):
    action = Action.RECEIVE
    place_fields = {"location": STOCK_KINDS}
    location = _location_select(_l("Received at"))
    price = EuroField(_l("Price (€)"), validators=[InputRequired()])
    note = _note()


class TransferForm(ActionForm):
    action = Action.TRANSFER
    place_fields = {"to_location": STOCK_KINDS}
    to_location = _location_select(_l("Send to"))
    note = _note()


class SellForm(ActionForm):
    action = Action.SELL
    price = EuroField(_l("Sold for (€, leave empty for the current price)"))
    # a store discount needs one of these reasons (domain/sale_price.py); the labels are lazy
    discount_reason = SelectField(_l("Reason for a store discount"), default="", choices=[
        option("", _l("no discount")), *(option(r.value, r.label) for r in DiscountReason)])
    receipt = StringField(_l("Receipt number (optional)"),
                          validators=[Optional(), Length(max=60), no_control_characters])
    # a typed price other than the current one is asked back once (99999 for a €99,95 dress)
    confirm_price = BooleanField(_l("Yes, sell at the price I typed"), default=False)
    asks_price_confirmation = False

    def details(self) -> dict[str, Any]:
        found = super().details()
        found.pop("confirm_price", None)
        return found


class CustomerReturnForm(ActionForm):
    action = Action.CUSTOMER_RETURN
    place_fields = {"location": SELLING_KINDS}
    location = _location_select(_l("Taken back at"))
    note = _note()


class AddToRentalPoolForm(ActionForm):
    action = Action.ADD_TO_RENTAL_POOL
    partner = SelectField(_l("For rental partner (optional)"), choices=[option("", "")], default="")
    note = _note()


class RemoveFromRentalPoolForm(ActionForm):
    action = Action.REMOVE_FROM_RENTAL_POOL
    note = _note()


class CheckOutRentalForm(ActionForm):
    action = Action.CHECK_OUT_RENTAL
    partner = SelectField(_l("Rental partner"), choices=[option("", "")], default="",
                          validators=[InputRequired()])
    due_on = DateField(_l("Due back on"), validators=[InputRequired(message=_l("Choose a date."))])
    partner_reference = StringField(_l("Partner's reference (optional)"),
                                    validators=[Optional(), Length(max=64), no_control_characters])
    note = _note()


class ReceiveRentalReturnForm(ActionForm):
    action = Action.RECEIVE_RENTAL_RETURN
    place_fields = {"location": STOCK_KINDS}
    location = _location_select(_l("Received at"), required=False)
    note = _note()


class StartCareForm(ActionForm):
    action = Action.START_CARE
    care_kind = SelectField(_l("Cleaning or repair"), default="", validators=[InputRequired()],
                            choices=_enum_choices(CareKind, placeholder=_l("choose")))
    note = _note()


class FinishCareForm(ActionForm):
    action = Action.FINISH_CARE
    outcome = SelectField(_l("Outcome"), default="", validators=[InputRequired()],
                          choices=_enum_choices(CareOutcome, placeholder=_l("choose")))
    cost = EuroField(_l("Cost (€, optional)"), price=False)
    note = _note()


class MoveToOutletForm(ActionForm):
    action = Action.MOVE_TO_OUTLET
    place_fields = {"to_location": (LocationKind.OUTLET,)}
    to_location = _location_select(_l("Outlet"))
    price = EuroField(_l("Outlet price (€, optional)"))
    note = _note()


class MarkDownForm(ActionForm):
    action = Action.MARK_DOWN
    price = EuroField(_l("New price (€)"), validators=[InputRequired()])
    note = _note()


class AllocateToBuyerLotForm(ActionForm):
    action = Action.ALLOCATE_TO_BUYER_LOT
    buyer_lot = IntegerField(_l("Buyer lot number"),
                             validators=[InputRequired(), NumberRange(min=1, max=10**9)])
    note = _note()


class ReleaseFromBuyerLotForm(ActionForm):
    action = Action.RELEASE_FROM_BUYER_LOT
    note = _note()


class ShipToBuyerForm(ActionForm):
    action = Action.SHIP_TO_BUYER
    destination_country = SelectField(
        _l("Destination country"), default="", validators=[InputRequired()],
        choices=[option("", _l("choose"))] + [option(c, c) for c in sorted(EU_EEA | OTHER_OECD)])
    destination_use = SelectField(
        _l("What happens there"), default="", validators=[InputRequired()],
        choices=_enum_choices(sorted(EndUse(use) for use in ALLOWED_USES), placeholder=_l("choose")))
    transport_document = StringField(_l("Transport or export document"),
                                     validators=[InputRequired(), Length(max=120), no_control_characters])
    note = _note()


class RetireForm(ActionForm):
    action = Action.RETIRE
    uploads = True
    route = SelectField(_l("Route"), default="", validators=[InputRequired()],
                        choices=_enum_choices(RetireRoute, placeholder=_l("choose")))
    ground = SelectField(_l("Legal ground (only for recycling, Delegated Regulation 2026/296)"),
                         default="",
                         choices=_enum_choices(DestructionGround, placeholder=_l("none")))
    # recycling an unsold garment is a discard: the ground needs evidence, kept 5 years
    evidence_file = FileField(_l("Evidence for the ground (PDF or photo; only for recycling)"),
                              render_kw={"accept": "application/pdf,image/jpeg,image/png"})
    offcut_lot = StringField(_l("Offcut lot it feeds (code, only for offcuts; optional)"),
                             validators=[Optional(), Length(max=40), no_control_characters],
                             render_kw={"placeholder": "CKSR-00012", "autocomplete": "off"})
    note = _note()
    detail_names = {**ActionForm.detail_names, "evidence_file": "evidence"}

    def details(self) -> dict[str, Any]:
        out = super().details()
        out.pop("evidence", None)  # the upload is stored first; the view names it by its number
        return out


class WriteOffForm(ActionForm):
    action = Action.WRITE_OFF
    reason = SelectField(_l("Reason"), default="", validators=[InputRequired()],
                         choices=_enum_choices(WriteOffReason, placeholder=_l("choose")))
    note = _note()


ACTION_FORMS: dict[Action, type[ActionForm]] = {cls.action: cls for cls in [
    ReceiveForm, TransferForm, SellForm, CustomerReturnForm, AddToRentalPoolForm,
    RemoveFromRentalPoolForm, CheckOutRentalForm, ReceiveRentalReturnForm, StartCareForm,
    FinishCareForm, MoveToOutletForm, MarkDownForm, AllocateToBuyerLotForm, ReleaseFromBuyerLotForm,
    ShipToBuyerForm, RetireForm, WriteOffForm,
]}

#: actions that need a grade and a list of defects: they have their own screens (rentals)
SCREEN_ACTIONS: dict[Action, str] = {
    Action.RETURN_RENTAL: "rentals.return_form",
    Action.INSPECT: "rentals.inspect_form",
}

