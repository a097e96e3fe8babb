"""Forms of the buyer pages. They check the shape of what was typed; the contract and lot rules decide."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, IntegerField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from cksloop.domain.buyer_contracts import OnwardSale, ProofKind
from cksloop.domain.country_groups import CountryGroup
from cksloop.domain.destinations import EndUse
from cksloop.web.fields import SelectField, option
from cksloop.web.rentals.forms import no_control_characters

#: The most scans one form may carry (the service takes 2,000 garments a request).
MAX_SCANS = 2000
#: The heaviest lot the form takes (the API's bound).
MAX_KG = Decimal(100_000)


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes (big enough to tap on a tablet)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BuyerForm(FlaskForm):
    name = StringField(_l("Company name"), validators=[InputRequired(), Length(max=200), no_control_characters])
    country = SelectField(_l("Country"), default="", validate_choice=False, choices=[],
                          validators=[InputRequired(_l("Choose the buyer's country."))])
    vat_number = StringField(_l("VAT number"), validators=[InputRequired(), Length(max=24), no_control_characters],
                             render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                        "spellcheck": "false"})
    contact_email = StringField(_l("Contact e-mail"), validators=[InputRequired(), Length(max=200),
                                                                  no_control_characters],
                                render_kw={"type": "email", "autocomplete": "off"})


class ContractForm(FlaskForm):
    valid_from = DateField(_l("Valid from"), validators=[InputRequired(_l("Give the first day it applies."))])
    valid_to = DateField(_l("Valid until (the last day; empty: open-ended)"), validators=[Optional()])
    allowed_groups = CheckboxesField(_l("Allowed groups of countries"),
                                     choices=[option(g.value, g.value) for g in CountryGroup])
    allowed_countries = StringField(_l("Allowed countries (ISO codes, e.g. BE NL FR)"),
                                    validators=[Optional(), Length(max=1200), no_control_characters],
                                    render_kw={"autocapitalize": "characters", "spellcheck": "false",
                                               "autocomplete": "off"})
    forbidden_countries = StringField(_l("Forbidden countries (ISO codes)"),
                                      validators=[Optional(), Length(max=1200), no_control_characters],
                                      render_kw={"autocapitalize": "characters", "spellcheck": "false",
                                                 "autocomplete": "off"})
    allowed_end_uses = CheckboxesField(_l("Allowed end uses"),
                                       choices=[option(u.value, u.label) for u in EndUse])
    exclude_home_market = BooleanField(_l("Exclude the home market (Belgium)"))
    labels_removed = BooleanField(_l("Labels removed before resale"))
    onward_sale = SelectField(_l("Onward sale"), choices=[option(o.value, o.value) for o in OnwardSale])
    sub_buyers = TextAreaField(_l("Named sub-buyers (one per line)"),
                               validators=[Optional(), Length(max=10_000), no_control_characters])
    proof = CheckboxesField(_l("Proof owed per lot"), choices=[option(p.value, p.value) for p in ProofKind])
    proof_days = IntegerField(_l("Proof due within (days after shipping)"),
                              validators=[InputRequired(), NumberRange(min=1, max=365)],
                              render_kw={"inputmode": "numeric"})

    def body(self) -> dict[str, Any]:
        """The restrictions as services.buyers.parse_restrictions reads them (the API's body)."""
        return {
            "allowed_groups": list(self.allowed_groups.data or []),
            "allowed_countries": _codes(self.allowed_countries.data),
            "forbidden_countries": _codes(self.forbidden_countries.data),
            "allowed_end_uses": list(self.allowed_end_uses.data or []),
            "exclude_home_market": bool(self.exclude_home_market.data),
            "labels_removed": bool(self.labels_removed.data),
            "onward_sale": self.onward_sale.data,
            "sub_buyers": [line.strip() for line in (self.sub_buyers.data or "").splitlines() if line.strip()],
            "proof": list(self.proof.data or []),
            "proof_days": self.proof_days.data,
        }


def _codes(text: str | None) -> list[str]:
    return [part.strip().upper() for part in (text or "").replace(",", " ").replace(";", " ").split()]


class ScansField(TextAreaField):
    """Scanned or typed labels, one per line (the scan script fills it; typing works without it)."""

    def lines(self) -> list[str]:
        return [line.strip() for line in (self.data or "").splitlines() if line.strip()]


class LotForm(FlaskForm):
    buyer = SelectField(_l("Buyer"), default="", validate_choice=False, choices=[],
                        validators=[InputRequired(_l("Choose the buyer."))])
    destination_country = SelectField(_l("Destination country"), default="", validate_choice=False, choices=[],
                                      validators=[InputRequired(_l("Choose the destination country."))])
    end_use = SelectField(_l("End use"), default="",
                          choices=[option("", _l("choose the end use"))] + [option(u.value, u.label) for u in EndUse],
                          validators=[InputRequired(_l("Choose the end use."))])
    planned_ship_on = DateField(_l("Planned shipping date"),
                                validators=[InputRequired(_l("Give the planned shipping date."))])
    scans = ScansField(_l("Garments (one code per line)"),
                       validators=[Optional(), Length(max=MAX_SCANS * 200), no_control_characters],
                       render_kw={"rows": 4, "autocapitalize": "characters", "spellcheck": "false"})


class AddGarmentsForm(FlaskForm):
    scans = ScansField(_l("Garments (one code per line)"),
                       validators=[InputRequired(_l("Scan at least one garment.")), Length(max=MAX_SCANS * 200),
                                   no_control_characters],
                       render_kw={"rows": 4, "autocapitalize": "characters", "spellcheck": "false"})


class RemoveGarmentsForm(FlaskForm):
    remove = SelectMultipleField(_l("Remove"), choices=[], validate_choice=False,
                                 validators=[InputRequired(_l("Tick the garments to remove."))])


class ShipForm(FlaskForm):
    shipped_on = DateField(_l("Shipped on"), validators=[InputRequired(_l("Give the shipping date."))])
    carrier = StringField(_l("Carrier"), validators=[InputRequired(), Length(max=120), no_control_characters])
    transport_document = StringField(_l("Transport or export document number"),
                                     validators=[InputRequired(), Length(max=120), no_control_characters],
                                     render_kw={"autocomplete": "off"})
    gross_weight_kg = StringField(_l("Gross weight (kg)"),
                                  validators=[InputRequired(_l("Give the gross weight in kilograms.")),
                                              Length(max=20)],
                                  render_kw={"inputmode": "decimal", "autocomplete": "off"})

    def validate_gross_weight_kg(self, field: Any) -> None:
        # a Belgian types a decimal comma: "12,5" and "12.5" are both 12.5 kg
        try:
            kg = Decimal((field.data or "").strip().replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_l("Give the gross weight in kilograms.")) from None
        if not kg.is_finite() or kg > MAX_KG:
            raise ValidationError(_l("Give the gross weight in kilograms."))

    def grams(self) -> int:
        """The weight in whole grams (zero or less is refused by the lot's rules, naming the field)."""
        return int((Decimal(self.gross_weight_kg.data.strip().replace(",", ".")) * 1000).to_integral_value())


class StepForm(FlaskForm):
    """Confirm and cancel: only the CSRF token; the lot's status decides."""


class CancelForm(FlaskForm):
    sure = BooleanField(_l("Yes, cancel this lot and release its garments"),
                        validators=[InputRequired(_l("Tick the box to cancel the lot."))])


#: The most garments one selection adds (a bigger lot is built in several selections or by scan).
MAX_SELECTION = 200


class SelectionForm(FlaskForm):
    """Garments in stock picked by the stock list's filters, added to a draft lot."""

    text = StringField(_l("Style number, style name, colour or size"),
                       validators=[Optional(), Length(max=200), no_control_characters],
                       render_kw={"autocomplete": "off"})
    location = SelectField(_l("Location"), default="", validate_choice=False, choices=[],
                           validators=[Optional(), Length(max=40)])
    season = SelectField(_l("Season"), default="", validate_choice=False, choices=[],
                         validators=[Optional(), Length(max=8)])
    count = IntegerField(_l("How many at most"), default=20,
                         validators=[InputRequired(), NumberRange(min=1, max=MAX_SELECTION)],
                         render_kw={"inputmode": "numeric"})

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.text.data or "").strip() and not self.location.data and not self.season.data:
            self.text.errors = [*self.text.errors, _l("Choose at least one filter: a style, a location or a season.")]
            return False
        return valid
