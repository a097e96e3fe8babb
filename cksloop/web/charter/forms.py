"""The form of the material targets page: one whole percentage per flagged material for a season."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Regexp


class TargetsForm(FlaskForm):
    season = StringField(_l("Season"), validators=[InputRequired(), Length(max=4),
                                                   Regexp(r"^(SS|AW)[0-9]{2}$", message=_l("A season looks like SS25 or AW25."))])
    organic_cotton = StringField(_l("organic cotton"), validators=[Length(max=3)])
    recycled_polyester = StringField(_l("recycled polyester"), validators=[Length(max=3)])
    lenzing = StringField(_l("LENZING™ fibres"), validators=[Length(max=3)])
    other_flagged = StringField(_l("other flagged materials"), validators=[Length(max=3)])
