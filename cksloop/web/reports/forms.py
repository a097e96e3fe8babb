"""Forms of the report pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import HiddenInput

from cksloop.web.rentals.forms import no_control_characters


class AcknowledgeForm(FlaskForm):
    """A merchandiser's note on an attention point, for the next collection."""

    kind = StringField(widget=HiddenInput(), validators=[InputRequired(), Length(max=16)])
    key = StringField(widget=HiddenInput(), validators=[InputRequired(), Length(max=120)])
    note = TextAreaField(_l("Note for the next collection"),
                         validators=[InputRequired(_l("Write what the next collection should do about it.")),
                                     Length(max=2000), no_control_characters])
