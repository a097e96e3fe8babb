"""Reading the review's season and date from a request, the one way for every overstock page."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import request

from cksloop.db import queries
from cksloop.domain.clock import local_date
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.overstock_review import parse_as_of
from cksloop.services import overstock
from cksloop.web.api.params import parse_season
from cksloop.web.database import db, now
from cksloop.web.i18n import gettext  # the request's catalogue, looked up once (a review has ~2,400 texts)


@dataclass(frozen=True)
class Choice:
    """The season and date a page shows, the seasons to pick from, and what was wrong with the request."""

    season: str | None
    as_of: dt.date
    seasons: list[str]
    errors: dict[str, str]


def known_season(text: str | None) -> str | None:
    """The season as stored (SS26) when it names a collection with styles, else None."""
    if not text or len(text) > 8:
        return None
    try:
        season = parse_season(text.strip())
    except ValueError:
        return None
    return season if season in queries.seasons(db()) else None


def read_choice(season_text: str | None = None) -> Choice:
    """Season (the path's, else ``?season=``, else the latest with stock) and ``?as_of=`` (today when empty)."""
    errors: dict[str, str] = {}
    today = local_date(now())
    try:
        as_of = parse_as_of(request.args.get("as_of", ""), today=today)
    except InvalidDetails as refused:
        errors.update({k: gettext(v) for k, v in refused.field_errors.items()})
        as_of = today
    raw = season_text if season_text is not None else request.args.get("season", "").strip()
    season = known_season(raw) if raw else overstock.latest_season_with_stock(db())
    if raw and season is None:
        errors["season"] = gettext("No collection %(season)s: choose one of the list.", season=raw[:8])
    return Choice(season, as_of, queries.seasons(db()), errors)
