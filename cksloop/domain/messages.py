"""Marks user-facing domain texts for translation, and gives enums their own label, without a web framework.

The domain only *marks* texts (so Babel extracts them); the web layer installs the translator
(``install_translator``) and fills in the named ``%(params)s``. An enum member's ``label`` is a
``LazyText``: it turns into the reader's language each time it is shown, so a label made at
import time (a form's choices) still speaks the language of the request that renders it.
"""
from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Self


def N_(text: str) -> str:
    """Mark ``text`` for extraction; translated later by the web layer."""
    return text


def _untranslated(text: str) -> str:
    return text


_translate: Callable[[str], str] = _untranslated


def install_translator(translate: Callable[[str], str]) -> None:
    """Let labels speak the reader's language: the web layer installs its gettext here once."""
    global _translate
    _translate = translate


class LazyText:
    """A marked text that is translated only when it is turned into a string."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message  # the English msgid, as marked with N_

    def __str__(self) -> str:
        return _translate(self.message)

    def __repr__(self) -> str:
        return f"LazyText({self.message!r})"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __len__(self) -> int:
        return len(str(self))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyText):
            return self.message == other.message
        return str(self) == other if isinstance(other, str) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.message)

    def __lt__(self, other: object) -> bool:
        return str(self) < str(other)

    def __add__(self, other: str) -> str:
        return str(self) + other

    def __radd__(self, other: str) -> str:
        return other + str(self)

    def __mod__(self, params: Any) -> str:
        return str(self) % params

    def __getattr__(self, name: str) -> Any:
        # behave like the translated str for anything else (upper(), startswith(), …)
        return getattr(str(self), name)


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry the words a person reads (Indico's RichEnum ``__titles__``).

    Declare each member as ``VALUE = "stored_value", N_("what a person reads")``; the value is
    what the database and the API store, ``member.label`` what a page shows.
    """

    _label_message: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label_message = label
        return member

    @property
    def label(self) -> LazyText:
        """The member's label, translated when shown."""
        return LazyText(self._label_message)

    @classmethod
    def label_of(cls, value: Any) -> str:
        """The translated label of the member stored as ``value``; anything else as it was stored."""
        member = cls._value2member_map_.get(value) if isinstance(value, str) else None
        return str(member.label) if member is not None else str(value)  # type: ignore[attr-defined]

    @classmethod
    def message_of(cls, value: Any) -> str:
        """The untranslated (English) label of the member stored as ``value``; anything else as stored."""
        member = cls._value2member_map_.get(value) if isinstance(value, str) else None
        return member._label_message if member is not None else str(value)  # type: ignore[attr-defined]
