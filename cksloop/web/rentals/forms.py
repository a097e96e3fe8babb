"""Forms of the rental pages. They check the shape of what was typed; the lifecycle rules decide."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (DateField, Field, FieldList, Form, FormField, IntegerField, RadioField,
                     StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from cksloop.domain.inspection import DefectCode, Grade, ReturnReason, Zone
from cksloop.domain.lifecycle import CareKind, CareOutcome, RetireRoute
from cksloop.domain.messages import LabelledEnum
from cksloop.web.fields import SelectField, option

MAX_DEFECT_ROWS = 20
DEFAULT_DEFECT_ROWS = 3

#: grade E retires a garment into offcuts or remanufacturing; recycling needs the retire action's legal ground
GRADE_E_ROUTES = (RetireRoute.OFFCUTS, RetireRoute.REMANUFACTURING)


def no_control_characters(form: Any, field: Field) -> None:
    value = field.data
    if isinstance(value, str) and any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        raise ValidationError(_l("Contains characters that cannot be typed."))


def _choices(members: Iterable[LabelledEnum], placeholder: Any | None) -> list[Any]:
    # a member's label is translated when the form is rendered, in the reader's language
    head = [option("", placeholder)] if placeholder is not None else []
    return head + [option(member.value, member.label) for member in members]


class PartnerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120), no_control_characters])
    contact_email = StringField(_l("Contact email"), validators=[Optional(), Length(max=254), no_control_characters],
                                render_kw={"type": "email", "autocomplete": "off"})
    default_rental_days = IntegerField(_l("Default rental period (days)"), default=10,
                                       validators=[InputRequired()],
                                       render_kw={"inputmode": "numeric"})
    terms = TextAreaField(_l("Terms"), validators=[Optional(), Length(max=5000), no_control_characters])
    location = SelectField(_l("The partner's site (a location)"), default="", validate_choice=False,
                           choices=[], validators=[Optional(), Length(max=40)])


class CodeForm(FlaskForm):
    """One garment code: typed, or by a handheld scanner that types it and Enter."""

    code = StringField(_l("Garment code"), validators=[InputRequired(), Length(max=2000), no_control_characters],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                                  "autofocus": True, "enterkeyhint": "go"})


class AddToPoolForm(CodeForm):
    partner = SelectField(_l("For rental partner"), default="", validate_choice=False, choices=[],
                          validators=[Optional()])


class TakeOutForm(FlaskForm):
    code = StringField(widget=HiddenInput(), validators=[InputRequired(), Length(max=40)])


class CheckOutForm(FlaskForm):
    partner = SelectField(_l("Rental partner"), default="", validate_choice=False, choices=[],
                          validators=[InputRequired(_l("Choose the rental partner."))])
    due_on = DateField(_l("Due back on"), validators=[InputRequired(_l("Give the due date."))],
                       render_kw={"type": "date"})
    partner_reference = StringField(_l("Partner's order reference (optional, no customer data)"),
                                    validators=[Optional(), Length(max=64), no_control_characters],
                                    render_kw={"autocomplete": "off"})
    expected_version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class DefectRowForm(Form):
    """One defect line; a line without a defect code is left out."""

    code = SelectField(_l("Defect"), default="", choices=_choices(DefectCode, _l("— no defect —")),
                       validators=[Optional()])
    zone = SelectField(_l("Where"), default="", choices=_choices(Zone, _l("choose")), validators=[Optional()])
    severity = SelectField(_l("Severity (1 barely visible – 5 severe)"), default="",
                           choices=[option("", _l("choose"))] + [option(str(n), str(n)) for n in range(1, 6)],
                           validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500), no_control_characters])
    photo = FileField(_l("Photo (optional)"), render_kw={"accept": "image/jpeg,image/png,image/webp"})

    def is_blank(self) -> bool:
        return not (self.code.data or self.zone.data or self.severity.data or (self.note.data or "").strip()
                    or _has_file(self.photo.data))


def _has_file(data: Any) -> bool:
    return bool(data is not None and getattr(data, "filename", None))


class InspectionForm(FlaskForm):
    """Reason, grade, defects (with photos) and a note: the mandatory inspection of a return."""

    reason = RadioField(_l("Why the rental ended"), default="", validate_choice=False,
                        choices=_choices(ReturnReason, None), validators=[Optional()])
    grade = RadioField(_l("Grade"), default="", validate_choice=False, choices=_choices(Grade, None),
                       validators=[Optional()])
    retire_route = SelectField(_l("For grade E: where it goes"), default="",
                               choices=_choices(GRADE_E_ROUTES, _l("choose")), validators=[Optional()])
    defects = FieldList(FormField(DefectRowForm), min_entries=DEFAULT_DEFECT_ROWS, max_entries=MAX_DEFECT_ROWS)
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000), no_control_characters])
    expected_version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def restrict_reasons(self, *, allow_lost: bool, required: bool) -> None:
        reasons = [reason for reason in ReturnReason if allow_lost or reason is not ReturnReason.LOST]
        self.reason.choices = _choices(reasons, None)
        self.reason_required = required


class FinishCareForm(FlaskForm):
    outcome = RadioField(_l("Outcome"), default="", validate_choice=False, choices=_choices(CareOutcome, None),
                         validators=[InputRequired(_l("Choose the outcome."))])
    cost = StringField(_l("Cost in euros (optional)"), validators=[Optional(), Length(max=20)],
                       render_kw={"inputmode": "decimal", "autocomplete": "off"})
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000), no_control_characters])

    def cost_cents(self) -> int | None:
        """The cost in cents; raises ValueError with a message for the cost field."""
        text = (self.cost.data or "").strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
        if not text:
            return None
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(_l("Type an amount in euros, e.g. 12,50.")) from None
        if not amount.is_finite() or amount.as_tuple().exponent < -2 or not 0 <= amount <= 10000:  # type: ignore[operator]
            raise ValueError(_l("An amount between 0 and 10,000 euros, at most two decimals."))
        return int(amount * 100)


class StartCareForm(FlaskForm):
    care_kind = RadioField(_l("Send to"), default="", validate_choice=False, choices=_choices(CareKind, None),
                           validators=[InputRequired(_l("Choose cleaning or repair."))])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000), no_control_characters])
