"""The audit view's filters, read from the query string (no CSRF: searching changes nothing)."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from cksloop.domain.lifecycle import Action
from cksloop.web.fields import SelectField, option

#: event ids are 64-bit on PostgreSQL; anything larger cannot name an event
MAX_EVENT_ID = 2**63 - 1


def no_control_characters(form: Any, field: Field) -> None:
    value = field.data
    if isinstance(value, str) and any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValidationError(_l("Contains characters that cannot be typed."))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    #: garment events (the ledger) or account events (sign-ins, users, tokens)
    kind = SelectField(_l("Which events"), default="garments", choices=[
        option("garments", _l("garment events")), option("accounts", _l("sign-ins, users and tokens"))])
    user = SelectField(_l("Who"), default="", choices=[option("", _l("anyone"))])
    action = SelectField(_l("What"), default="",
                         choices=[option("", _l("any action"))] + [option(a.value, a.label) for a in Action])
    garment = StringField(_l("Garment code"), validators=[Optional(), Length(max=40), no_control_characters])
    location = SelectField(_l("Where"), default="", choices=[option("", _l("anywhere"))])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])
    before = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=MAX_EVENT_ID)])

    def bind_choices(self, *, users: list[tuple[int, str]], locations: list[tuple[str, str]],
                     account_actions: list[tuple[str, Any]] | None = None) -> None:
        self.user.choices = [option("", _l("anyone"))] + [option(str(uid), label) for uid, label in users]
        if self.kind.data == "accounts" and account_actions is not None:
            self.action.choices = [option("", _l("any action"))] + [option(v, label) for v, label in account_actions]
        self.location.choices = [option("", _l("anywhere"))] + [option(code, label) for code, label in locations]

    def validate_until(self, field: Field) -> None:
        if self.since.data and field.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))
