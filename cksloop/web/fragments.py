"""Parts of pages rendered once and reused (issue 19: "pages render what changes").

Much of a signed-in page is the same for everyone with the same role and language: the top bar
with its menu and the translated texts its scripts use, and each fresh action form of the garment
page. Such a part is rendered once per key — everything it depends on — with placeholders for the
few values that belong to one reader or one garment (the CSRF token, the reader's name, the
garment's code and version), and each page fills those in. Each caller documents its key: a key
that missed something the part depends on would show one reader what was rendered for another.

A worker keeps at most ``MAX_FRAGMENTS`` (least recently used first out).
"""
from __future__ import annotations

import itertools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from functools import lru_cache

from flask import Flask, current_app
from markupsafe import Markup, escape

#: placeholders: plain ASCII that HTML escaping and URL building leave as they are
CSRF = "cksloop-fragment-csrf-token"
MAX_FRAGMENTS = 4096
#: location and partner lists a worker tells apart before it starts afresh (they change rarely)
MAX_CHOICE_SETS = 32


class FragmentCache:
    """Rendered fragments by key, least recently used first out; safe for threaded workers."""

    def __init__(self, max_entries: int = MAX_FRAGMENTS):
        self.max_entries = max_entries
        self._html: OrderedDict[Hashable, str] = OrderedDict()
        self._choice_sets: dict[Hashable, int] = {}
        self._numbers = itertools.count()
        self._lock = threading.Lock()

    def html(self, key: Hashable, render: Callable[[], str]) -> str:
        """The fragment for ``key``, rendered with ``render`` the first time."""
        with self._lock:
            found = self._html.get(key)
            if found is not None:
                self._html.move_to_end(key)
                return found
        made = str(render())
        with self._lock:
            self._html[key] = made
            while len(self._html) > self.max_entries:
                self._html.popitem(last=False)
        return made

    def choice_set(self, choices: Hashable) -> int:
        """A small number for a set of choices (equal choices, equal number), so a key holds the
        number instead of the whole list. Forgets everything when the choices keep changing."""
        with self._lock:
            found = self._choice_sets.get(choices)
            if found is None:
                if len(self._choice_sets) >= MAX_CHOICE_SETS:
                    self._choice_sets.clear()
                    self._html.clear()  # fragments of forgotten choices; numbers are never reused
                found = self._choice_sets[choices] = next(self._numbers)
            return found

    def __len__(self) -> int:
        return len(self._html)


def cache() -> FragmentCache:
    """This worker's fragments."""
    return current_app.extensions["cksloop.fragments"]


def fill(fragment: str, values: Mapping[str, str]) -> Markup:
    """The fragment with each placeholder replaced by its value, HTML-escaped, in one pass (a
    value that happens to contain a placeholder, a name or a typed URL, is left as it is)."""
    escaped = {placeholder: str(escape(value)) for placeholder, value in values.items()}
    return Markup(_pattern(tuple(escaped)).sub(lambda found: escaped[found.group()], fragment))


@lru_cache(maxsize=64)
def _pattern(placeholders: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(p) for p in sorted(placeholders, key=len, reverse=True)))


def init_app(app: Flask) -> None:
    app.extensions["cksloop.fragments"] = FragmentCache()
