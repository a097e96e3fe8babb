"""The forms of the users and tokens page: create a user, change access, reset a password, issue a token."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from cksloop.domain.lifecycle import Role
from cksloop.web.admin.forms import no_control_characters
from cksloop.web.fields import SelectField, option


class StoresField(SelectMultipleField):
    """The extra stores as a list of checkboxes: easy to tap, no hidden multi-select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _role_choices() -> list:
    return [option(role.value, role.label) for role in Role]


class AccessForm(FlaskForm):
    role = SelectField(_l("Role"), choices=_role_choices(), validators=[DataRequired()])
    home_location = SelectField(_l("Home location"), default="", choices=[option("", _l("none"))])
    stores = StoresField(_l("Also works at"), choices=[])

    def bind_locations(self, locations: list[tuple[str, str]]) -> None:
        self.home_location.choices = [option("", _l("none"))] + [option(c, label) for c, label in locations]
        self.stores.choices = [option(c, label) for c, label in locations]


class NewUserForm(AccessForm):
    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120), no_control_characters])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=1024)],
                             description=_l("Leave empty to have one made; it is shown once."))


class PasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[Optional(), Length(max=1024)],
                             description=_l("Leave empty to have one made; it is shown once."))


class TokenForm(FlaskForm):
    label = StringField(_l("What it is for"), validators=[Optional(), Length(max=120), no_control_characters])
    expires_in_days = IntegerField(_l("Expires after (days)"), validators=[Optional(), NumberRange(min=1, max=3650)],
                                   description=_l("Leave empty for a token that works until it is revoked."))
    read_only = BooleanField(_l("Read only (GET and HEAD requests)"))


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""
