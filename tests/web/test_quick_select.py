"""The quick select widget writes exactly the markup WTForms' own select widget writes."""
from __future__ import annotations

import pytest
from wtforms import Form
from wtforms import SelectField as WtformsSelectField
from wtforms.validators import InputRequired

from cksloop.web.fields import SelectField
from cksloop.web.garments.forms import option

CHOICES = [option("", "choose a location"), option("ST-001", "CKS Antwerpen <Meir> & co"),
           option("ST-002", 'CKS Gent "Veldstraat"'), option("OUTLET", "Outlet")]


class Quick(Form):
    place = SelectField("Place", choices=CHOICES, validators=[InputRequired()])


class Reference(Form):
    place = WtformsSelectField("Place", choices=CHOICES, validators=[InputRequired()])


@pytest.mark.parametrize("chosen", ["", "ST-001", "ST-002", "OUTLET", "nowhere"])
def test_quick_select_renders_the_same_markup_as_wtforms(chosen):
    quick, reference = Quick(data={"place": chosen}), Reference(data={"place": chosen})
    assert str(quick.place(id="x", class_="wide")) == str(reference.place(id="x", class_="wide"))
    assert ("selected" in str(quick.place())) is (chosen in {c.value for c in CHOICES})


def test_labels_are_escaped_so_a_location_name_cannot_inject_markup():
    html = str(Quick(data={"place": "ST-001"}).place())
    assert "&lt;Meir&gt; &amp; co" in html and "<Meir>" not in html
    assert "&#34;Veldstraat&#34;" in html
