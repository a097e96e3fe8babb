"""The style list's filter form."""
from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import HiddenInput

from cksloop.db import queries
from cksloop.web.fields import SelectField, option
from cksloop.web.vocabulary import category_label


class StyleFilterForm(FlaskForm):
    """The style list's filters, from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    season = SelectField(_l("Season"), default="", choices=[option("", _l("any season"))])
    category = SelectField(_l("Category"), default="", choices=[option("", _l("any category"))])
    page = IntegerField(_l("Page"), widget=HiddenInput(),
                        validators=[Optional(), NumberRange(min=1, max=queries.MAX_PAGE)])

    def bind_choices(self, *, seasons: Sequence[str], categories: Sequence[str]) -> None:
        self.season.choices = [option("", _l("any season"))] + [option(s, s) for s in seasons]
        self.category.choices = [option("", _l("any category"))] + [option(c, category_label(c)) for c in categories]
