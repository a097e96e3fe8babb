"""Form fields shared by the pages: WTForms' own, made cheaper where a page renders many."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape
from wtforms import SelectChoice
from wtforms import SelectField as _SelectField
from wtforms.widgets import Select, html_params


def option(value: str, label: Any) -> SelectChoice:
    """One choice of a select or radio field (WTForms 3.3 deprecates ``(value, label)`` tuples
    and 3.4 drops them)."""
    return SelectChoice(value, label)


class QuickSelect(Select):
    """WTForms' select widget with plain options written directly.

    The garment page shows a form per allowed action, each with a select of every location:
    hundreds of options a page. WTForms builds a Choice and its attributes (``html_params``)
    per option on every render; this writes the same markup (attributes in ``html_params``'
    sorted order) from a cache of option strings. Options with extra attributes or groups
    still go through WTForms.
    """

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        choices = field._choices_from_input(field.choices)
        if self.multiple or not choices or any(c.optgroup is not None or c.render_kw for c in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        for flag in self.validation_attrs:
            if flag not in kwargs and getattr(field.flags, flag, False):
                kwargs[flag] = getattr(field.flags, flag)
        coerce, data = field.coerce, field.data
        options = "".join(_option_html(str(c.value), str(c.label or c.value), coerce(c.value) == data)
                          for c in choices)
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        return Markup(_option_html(str(choice.value), str(choice.label or choice.value), bool(choice.selected)))

    @classmethod
    def _dispatch_render_option(cls) -> Any:
        return cls.render_option


@lru_cache(maxsize=8192)
def _option_html(value: str, label: str, selected: bool) -> str:
    return f'<option {"selected " if selected else ""}value="{escape(value)}">{escape(label)}</option>'


class SelectField(_SelectField):
    widget = QuickSelect()
