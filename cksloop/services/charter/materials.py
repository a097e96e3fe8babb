"""Materials section: the share of organic cotton, recycled polyester, LENZING™ fibres and other
flagged materials in the year's summer and winter collections, by pieces and by weight, and the
targets per season a merchandiser sets (report section 2's roadmap).

By pieces: the share of the collection's garments whose composition holds the material. By weight:
the share of the collection's fibre weight that is the material, from each style's composition in
percent by weight; cksloop stores no weight per garment, so every piece counts as weighing alike.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cksloop.db.models import Garment, MaterialTarget, Style, StyleMaterial
from cksloop.db.session import begin_write
from cksloop.domain.charter import FlaggedMaterial, Half, flag_of, parse_target_pct, share_pct
from cksloop.domain.errors import InvalidDetails
from cksloop.domain.messages import N_
from cksloop.services.charter.figures import Figure, Section, drill_url, keep, measured
from cksloop.services.charter.overstock import received, received_per_style

NAME = "materials"


def _flags_by_style(session: Session, season: str) -> dict[int, dict[FlaggedMaterial, int]]:
    """Per style of the season: the percent by weight of each flagged material in its composition."""
    out: dict[int, dict[FlaggedMaterial, int]] = defaultdict(dict)
    for style_id, fibre, pct, sustainable, cert in session.execute(
            select(StyleMaterial.style_id, StyleMaterial.fibre, StyleMaterial.percent, StyleMaterial.sustainable,
                   StyleMaterial.certification)
            .join(Style, Style.id == StyleMaterial.style_id).where(Style.season == season)):
        flag = flag_of(fibre, cert, sustainable)
        if flag is not None:
            out[style_id][flag] = out[style_id].get(flag, 0) + int(pct)
    return out


def pieces_with(session: Session, year: int, half: Half, material: FlaggedMaterial) -> Select[Any]:
    """The collection's garments (received by the end of the year) whose composition holds ``material``."""
    season = half.season(year)
    styles = sorted(s for s, flags in _flags_by_style(session, season).items() if material in flags)
    return received(season, year).where(Garment.style_id.in_(styles))


def drill(session: Session, year: int, key: str) -> Select[Any] | None:
    half_word, _, rest = key.partition("_")
    if half_word not in Half._value2member_map_:
        return None
    half = Half(half_word)
    if rest == "pieces":
        return received(half.season(year), year)
    material = rest.removesuffix("_pieces_pct").removesuffix("_weight_pct")
    if material in FlaggedMaterial._value2member_map_:
        return pieces_with(session, year, half, FlaggedMaterial(material))
    return None


def section(session: Session, year: int, *, now: dt.datetime) -> Section:
    out: Section = {}
    for half in Half:
        season = half.season(year)
        pieces_key = f"{half.value}_pieces"
        # the ``received`` list counted per style (its drill); the figure is their sum
        per_style = received_per_style(session, season, year)
        total = sum(per_style.values())
        out[pieces_key] = Figure(total, "garments", drill_url(NAME, pieces_key, year))
        if not total:
            continue
        flags = _flags_by_style(session, season)
        for material in FlaggedMaterial:
            with_it = sum(n for s, n in per_style.items() if material in flags.get(s, {}))
            weight = sum(n * flags.get(s, {}).get(material, 0) for s, n in per_style.items())
            stem = f"{half.value}_{material.value}"
            keep(out, stem + "_pieces_pct", measured(NAME, stem + "_pieces_pct", year, share_pct(with_it, total), "pct"))
            keep(out, stem + "_weight_pct", measured(NAME, stem + "_weight_pct", year,
                                                    share_pct(weight, 100 * total), "pct"))
    return out


# --- targets per season ------------------------------------------------------------------------


def targets(session: Session, seasons: list[str]) -> dict[tuple[str, FlaggedMaterial], int]:
    """The targets set for these seasons: (season, material) → percent."""
    return {(season, FlaggedMaterial(material)): pct for season, material, pct in session.execute(
        select(MaterialTarget.season, MaterialTarget.material, MaterialTarget.target_pct)
        .where(MaterialTarget.season.in_(seasons)))
        if material in FlaggedMaterial._value2member_map_}


def set_targets(session: Session, *, season: str, values: dict[str, Any], actor_id: int | None,
                now: dt.datetime) -> None:
    """Set a season's targets (material → whole percent; empty removes it) and commit once.

    Raises ``InvalidDetails`` naming every material whose target cannot be read; nothing is written then."""
    errors: dict[str, str] = {}
    parsed: dict[FlaggedMaterial, int | None] = {}
    for material in FlaggedMaterial:
        raw = values.get(material.value)
        if raw is None or str(raw).strip() == "":
            parsed[material] = None
            continue
        try:
            parsed[material] = parse_target_pct(raw)
        except InvalidDetails:
            errors[material.value] = N_("A target is a whole percentage from 0 to 100.")
    if errors:
        raise InvalidDetails(errors)
    for attempt in range(2):
        begin_write(session)
        existing = {row.material: row for row in session.scalars(
            select(MaterialTarget).where(MaterialTarget.season == season))}
        for material, pct in parsed.items():
            row = existing.get(material.value)
            if pct is None:
                if row is not None:
                    session.delete(row)
            elif row is None:
                session.add(MaterialTarget(season=season, material=material.value, target_pct=pct, updated_at=now,
                                           updated_by=actor_id))
            else:
                row.target_pct, row.updated_at, row.updated_by = pct, now, actor_id
        try:
            session.commit()
            return
        except IntegrityError:
            # two merchandisers saved the same new target at once: read theirs and set ours over it
            session.rollback()
            if attempt:
                raise
