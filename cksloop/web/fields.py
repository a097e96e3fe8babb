"""Form fields shared by the pages: WTForms' own, made cheaper where a page renders many."""
from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms import SelectField as _SelectField
from wtforms.widgets import Select


class QuickSelect(Select):
    """WTForms' select widget with plain options written directly.

    The garment page shows a form per allowed action, each with a select of every location:
    hundreds of options a page. WTForms builds each option's attributes through ``html_params``
    and inspects ``render_option``'s signature on every render; this writes the same markup
    (attributes in ``html_params``' sorted order) in one format string. Options with extra
    attributes still go through WTForms.
    """

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        label = escape(choice.label or choice.value)
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{escape(value)}">{label}</option>')

    @classmethod
    def _dispatch_render_option(cls) -> Any:
        return cls.render_option


class SelectField(_SelectField):
    widget = QuickSelect()
