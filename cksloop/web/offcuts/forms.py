"""The offcut lot forms: the list's filters, registering a lot, and one form per lot action.

Weights are taken as typed (text) and read by the domain's one grams reader, so a page and the
API refuse "abc", 0 and -5 with the same words.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from cksloop.db.queries import LocationChoice
from cksloop.domain.labels import garment_code_in, parse_codes
from cksloop.domain.messages import LazyText
from cksloop.domain.offcut_details import LOT_PLACES
from cksloop.domain.offcuts import OffcutAction, WasteReason
from cksloop.web.fields import SelectField, option
from cksloop.web.garments.forms import no_control_characters
from cksloop.web.vocabulary import material_label

_WEIGHT_INPUT = {"inputmode": "numeric", "autocomplete": "off"}
#: "cotton 80", "80% cotton", "80 cotton": one fibre and its whole percentage
_FIBRE_FIRST = re.compile(r"^([^\d%]+?)\s*(\d{1,3})\s*%?$")
_PCT_FIRST = re.compile(r"^(\d{1,3})\s*%?\s*([^\d%]+)$")


def lot_place_choices(locations: Sequence[LocationChoice], *, placeholder: Any,
                      leave_out: str | None = None) -> list[Any]:
    """Open stores, the warehouse and partners: where offcuts may lie."""
    return [option("", placeholder)] + [option(loc.code, f"{loc.name} ({loc.city})") for loc in locations
                                        if loc.kind in LOT_PLACES and loc.code != leave_out]


def read_composition(text: str) -> list[dict[str, Any]] | None:
    """"cotton 80, polyester 20" (or "80% cotton; 20% polyester") → [{fibre, pct}], None if unreadable.
    The domain checks the percentages (whole, adding up to 100)."""
    parts = [p.strip() for p in re.split(r"[,;\n]+", text or "") if p.strip()]
    out = []
    for part in parts:
        found = _FIBRE_FIRST.match(part)
        if found:
            out.append({"fibre": found.group(1).strip(), "pct": int(found.group(2))})
            continue
        found = _PCT_FIRST.match(part)
        if not found:
            return None
        out.append({"fibre": found.group(2).strip(), "pct": int(found.group(1))})
    return out or None


class LotFilterForm(FlaskForm):
    """The list's filters, from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    location = SelectField(_l("Location"), default="", choices=[option("", _l("any location"))])
    material = SelectField(_l("Material"), default="", choices=[option("", _l("any material"))])
    page = IntegerField(_l("Page"), widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=10_000)])

    def bind_choices(self, *, locations: Sequence[LocationChoice], materials: Sequence[str]) -> None:
        self.location.choices = lot_place_choices(locations, placeholder=_l("any location"))
        self.material.choices = [option("", _l("any material"))] + [option(m, material_label(m)) for m in materials]


class CreateLotForm(FlaskForm):
    material = StringField(_l("Material"), validators=[InputRequired(), Length(max=80), no_control_characters],
                           render_kw={"placeholder": _l("e.g. denim")})
    composition = StringField(_l("Composition (fibre and percentage)"),
                              validators=[InputRequired(), Length(max=400), no_control_characters],
                              render_kw={"placeholder": _l("e.g. cotton 80, polyester 20")})
    colour = StringField(_l("Colour or print"), validators=[InputRequired(), Length(max=80), no_control_characters])
    weight_g = StringField(_l("Weight (grams)"), validators=[Length(max=20)], render_kw=_WEIGHT_INPUT)
    area_m2 = StringField(_l("Area in m² (optional)"), validators=[Optional(), Length(max=20)],
                          render_kw={"inputmode": "decimal", "autocomplete": "off"})
    location = SelectField(_l("Location"), default="", choices=[option("", _l("choose a location"))])
    style_number = StringField(_l("From style (optional)"), validators=[Optional(), Length(max=60),
                                                                       no_control_characters])
    production_order = StringField(_l("Production order (optional)"),
                                   validators=[Optional(), Length(max=60), no_control_characters])
    supplier = StringField(_l("Supplier (optional)"), validators=[Optional(), Length(max=60), no_control_characters])
    garments = TextAreaField(_l("Garments cut into this lot (codes, optional: they are retired into it)"),
                             validators=[Optional(), Length(max=12_000), no_control_characters])

    def bind_choices(self, *, locations: Sequence[LocationChoice]) -> None:
        self.location.choices = lot_place_choices(locations, placeholder=_l("choose a location"))

    def details(self) -> dict[str, Any]:
        """The lot as the domain reads a ``create``; unreadable numbers pass through to be refused by name."""
        out: dict[str, Any] = {"material": self.material.data, "colour": self.colour.data,
                               "weight_g": (self.weight_g.data or "").strip(), "location": self.location.data,
                               "composition": read_composition(self.composition.data or "")}
        area = (self.area_m2.data or "").strip().replace(",", ".")
        if area:
            try:
                out["area_m2"] = float(area)
            except ValueError:
                out["area_m2"] = area  # refused by the domain with its reason
        source = {name: getattr(self, name).data.strip() for name in ("style_number", "production_order", "supplier")
                  if (getattr(self, name).data or "").strip()}
        typed = parse_codes(self.garments.data or "")
        if typed:
            # read as the scan page reads them (CKS-49 is CKS-00049); anything else is refused by name
            source["garments"] = [garment_code_in(code) or code for code in typed]
        if source:
            out["source"] = source
        return out


# --- one form per action ---------------------------------------------------------------------

class LotActionForm(FlaskForm):
    expected_version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=0, max=10**9)])
    action: OffcutAction

    def bind_choices(self, *, locations: Sequence[LocationChoice], here: str | None) -> None:
        """Nothing to bind; the move form overrides."""

    def details(self) -> dict[str, Any]:
        return {name: (field.data.strip() if isinstance(field.data, str) else field.data)
                for name, field in self._fields.items() if name not in ("csrf_token", "expected_version")
                and field.data not in (None, "")}


class ConsumeForm(LotActionForm):
    action = OffcutAction.CONSUME
    grams = StringField(_l("Grams used"), validators=[Length(max=20)], render_kw=_WEIGHT_INPUT)
    note = TextAreaField(_l("What they went into"), validators=[Length(max=2000), no_control_characters])


class SplitForm(LotActionForm):
    action = OffcutAction.SPLIT
    parts_g = StringField(_l("Weights of the new lots in grams (e.g. 400, 200)"), validators=[Length(max=600)],
                          render_kw={"inputmode": "numeric", "autocomplete": "off"})

    def details(self) -> dict[str, Any]:
        return {"parts_g": parse_codes(self.parts_g.data or "")}


class MoveForm(LotActionForm):
    action = OffcutAction.MOVE
    to_location = SelectField(_l("To"), default="", choices=[option("", _l("choose a location"))])

    def bind_choices(self, *, locations: Sequence[LocationChoice], here: str | None) -> None:
        self.to_location.choices = lot_place_choices(locations, placeholder=_l("choose a location"), leave_out=here)


class ReweighForm(LotActionForm):
    action = OffcutAction.REWEIGH
    weight_g = StringField(_l("Weight on the scale now (grams)"), validators=[Length(max=20)], render_kw=_WEIGHT_INPUT)
    reason = SelectField(_l("Why it is lighter"), default="", choices=[option("", _l("choose"))] + [
        option(r.value, LazyText(r.label)) for r in WasteReason])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000), no_control_characters])


class ReturnLeftoverForm(LotActionForm):
    action = OffcutAction.RETURN_LEFTOVER
    grams = StringField(_l("Grams returned"), validators=[Length(max=20)], render_kw=_WEIGHT_INPUT)
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000), no_control_characters])


#: the page's order: the everyday action first
LOT_ACTION_FORMS: dict[OffcutAction, type[LotActionForm]] = {cls.action: cls for cls in [
    ConsumeForm, SplitForm, MoveForm, ReweighForm, ReturnLeftoverForm]}


class LotLabelsForm(FlaskForm):
    """Lots ticked on the list (checkboxes named ``codes``), printed on a sheet or the label printer."""

    format = SelectField(_l("Print on"), default="pdf", choices=[
        option("pdf", _l("A4 label sheet (PDF)")), option("zpl", _l("Label printer, 50 × 25 mm (ZPL)"))])
