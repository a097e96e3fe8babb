"""The print form: which garments (carried along as hidden fields), sheet layout, format, start."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from cksloop.domain.labels import DEFAULT_LAYOUT, LAYOUTS, MAX_LABELS, ZPL_DPI
from cksloop.web.fields import SelectField, option

FORMATS = [option("pdf", _l("A4 label sheet (PDF)")), option("zpl", _l("Label printer, 50 × 25 mm (ZPL)"))]
MAX_CELLS = max(layout.cells for layout in LAYOUTS.values())


class PrintLabelsForm(FlaskForm):
    format = SelectField(_l("Print on"), choices=FORMATS, default="pdf")
    layout = SelectField(_l("Sheet"), choices=[option(name, _l(layout.title)) for name, layout in LAYOUTS.items()],
                         default=DEFAULT_LAYOUT)
    start_at = IntegerField(_l("Start at label"), default=1,
                            validators=[InputRequired(), NumberRange(min=1, max=MAX_CELLS)])
    dpi = SelectField(_l("Printer resolution"), choices=[option(str(d), f"{d} dpi") for d in ZPL_DPI],
                      default=str(ZPL_DPI[0]))
    # the selection: codes are typed, pasted or scanned; the rest comes from the page that sent us
    codes = TextAreaField(_l("Garment codes"), validators=[Optional(), Length(max=MAX_LABELS * 20)])
    received_on = HiddenField(validators=[Optional(), Regexp(r"^\d{4}-\d{2}-\d{2}$")])
    state = HiddenField(validators=[Optional(), Length(max=40)])
    location = HiddenField(validators=[Optional(), Length(max=40)])
    style = HiddenField(validators=[Optional(), Length(max=40)])
    season = HiddenField(validators=[Optional(), Length(max=8)])
    q = HiddenField(validators=[Optional(), Length(max=100)])
    overdue = HiddenField(validators=[Optional(), Length(max=1)])
    submit = SubmitField(_l("Print labels"))
