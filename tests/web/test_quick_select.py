"""The quick select widget writes exactly the markup WTForms' own select widget writes."""
from __future__ import annotations

import pytest
from wtforms import Form
from wtforms import SelectField as WtformsSelectField
from wtforms.validators import InputRequired
from wtforms.widgets import Select

from cksloop.web.fields import QuickSelect, SelectField, option

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


@pytest.mark.parametrize("selected", [True, False])
def test_an_option_rendered_on_its_own_is_the_same_as_wtforms_too(selected):
    # WTForms renders options one by one for option groups and for templates that loop over a field
    field = Reference(data={"place": "ST-001" if selected else "OUTLET"}).place
    choice = next(c for c in field.iter_choices() if c.value == "ST-001")
    assert QuickSelect.render_option(choice) == Select.render_option(choice)
    assert ("selected" in QuickSelect.render_option(choice)) is selected
