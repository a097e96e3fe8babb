"""Use cases on remanufacturing projects: send lots to a partner, receive its unique products as garments."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cksloop.db.models import (Garment, Location, OffcutLot, RemanufacturedGarment, RemanufacturedStyle,
                               RemanufacturingProject, Style, StyleSize, User)
from cksloop.db.session import begin_write
from cksloop.domain import remanufacturing as rules
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.lifecycle import LocationKind
from cksloop.domain.messages import N_
from cksloop.services import catalogue, ledger, offcut_lots, streams
from cksloop.services.workshops import codes_in, lot_decisions, read_lots

_ID_RETRIES = 3
#: a product without a location is received where remanufactured products are sold from
_STOCK_KINDS = (LocationKind.STORE, LocationKind.WAREHOUSE, LocationKind.OUTLET)


def _readable(value: Any, max_len: int) -> bool:
    """Whether ``value`` is text a query may carry (PostgreSQL refuses NUL characters outright)."""
    return isinstance(value, str) and 0 < len(value) <= max_len and value.isprintable()


def get(session: Session, project_id: int) -> RemanufacturingProject:
    row = session.get(RemanufacturingProject, project_id, populate_existing=True) if 0 < project_id < 2**31 else None
    if row is None:
        raise NotFound(N_("No remanufacturing project with number %(id)s."), id=project_id)
    return row


def project_of(row: RemanufacturingProject) -> rules.Project:
    return rules.Project(row.id, row.name, row.partner_location.code, row.partner_location.name,
                         rules.ProjectStatus(row.status), dict(row.lots_g))


def project_dict(session: Session, row: RemanufacturingProject) -> dict[str, Any]:
    products = session.execute(select(Garment.code, Garment.state, Style.style_number, Garment.size)
                               .join(RemanufacturedGarment, RemanufacturedGarment.garment_id == Garment.id)
                               .join(Style, Garment.style_id == Style.id)
                               .where(RemanufacturedGarment.project_id == row.id).order_by(Garment.id)).all()
    return {"id": row.id, "name": row.name, "partner_location": row.partner_location.code,
            "partner": row.partner_location.name, "status": row.status,
            "lots": [{"code": c, "grams": g} for c, g in sorted(row.lots_g.items())],
            "products": [{"code": p.code, "state": p.state.value if p.state else None, "style_number": p.style_number,
                          "size": p.size} for p in products]}


def list_projects(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(RemanufacturingProject).order_by(RemanufacturingProject.id.desc()).limit(200)).all()
    return [project_dict(session, r) for r in rows]


def start(session: Session, *, partner_location: Any, name: Any, lots: Any, actor: User,
          now: dt.datetime) -> dict[str, Any]:
    """Send lots to a partner under a new project: the project and every lot's ``consume`` in one
    transaction, or nothing. Raises InvalidDetails, InsufficientOffcut or NotPermitted."""
    actor_id = actor.id
    for attempt in range(_ID_RETRIES):
        def decide() -> ledger.Plan[dict[str, Any]]:
            project_id = (session.scalar(select(func.max(RemanufacturingProject.id))) or 0) + 1
            places, location_ids, _ = offcut_lots._places(session)  # noqa: SLF001
            partner = session.scalar(select(Location).where(Location.code == partner_location)) \
                if _readable(partner_location, 40) else None
            found = read_lots(session, codes_in(lots))
            ctx, _ = offcut_lots.context(session, actor=actor, now=now)
            started = rules.start_project(project_id=project_id, name=name, partner_location=partner_location,
                                          partner_name=partner.name if partner else "", lots=lots,
                                          snapshots={c: s for c, (_, s) in found.items()}, places=places, ctx=ctx)
            decisions = lot_decisions(started.lot_steps, found, actor_id=actor_id, now=now, location_ids=location_ids)

            def first(s: Session) -> None:
                # the id the consume events name; a writer that took it first makes this attempt retry
                s.execute(insert(RemanufacturingProject), {
                    "id": project_id, "name": started.project.name, "partner_location_id": location_ids[partner_location],
                    "status": started.project.status.value, "lots_g": dict(started.project.lots_g),
                    "created_by": actor_id, "created_at": now})
            return ledger.Plan(decisions, answer=lambda _: project_dict(session, get(session, project_id)), first=first)

        try:
            return ledger.run(session, stream=streams.OFFCUT_LOTS, plan=decide, actor_id=actor_id, now=now,
                              redecide=2, conflict=lambda d: offcut_lots._conflict(  # noqa: SLF001
                                  session, lot_id=d.aggregate_id, expected=d.seen_version))
        except IntegrityError:
            session.rollback()
            if attempt == _ID_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def change_status(session: Session, *, project_id: int, status: Any) -> dict[str, Any]:
    begin_write(session)
    row = get(session, project_id)
    row.status = rules.change_status(project_of(row), status).value
    session.commit()
    return project_dict(session, row)


def _lot_facts(session: Session, codes: list[str]) -> dict[str, rules.LotFacts]:
    rows = session.execute(select(OffcutLot.code, OffcutLot.material, OffcutLot.colour, OffcutLot.composition)
                           .where(OffcutLot.code.in_(codes))).all()
    return {r.code: rules.LotFacts(r.code, r.material, r.colour,
                                   tuple((c["fibre"], c["pct"]) for c in r.composition or [])) for r in rows}


def _remanufactured_styles(session: Session) -> dict[str, frozenset[str]]:
    rows = session.execute(select(Style.style_number, Style.size_run)
                           .join(RemanufacturedStyle, RemanufacturedStyle.style_id == Style.id)).all()
    return {number: frozenset(run.split(",")) for number, run in rows}


def create_line(session: Session, *, style_number: str, name: str, season: str, sizes: list[str],
                materials: list[tuple[str, int, bool, str]], supplier: str, retail_price_cents: int,
                gtins: dict[str, str] | None = None, category: str = "remanufactured",
                colour: str = "unique") -> Style:
    """A style that is a remanufactured line (its garments come back from partners' projects); no commit.
    Raises InvalidDetails as ``catalogue.create_style`` does."""
    style = catalogue.create_style(
        session, style_number=style_number, name=name, season=season, category=category, colour=colour,
        sizes=sizes, country_of_manufacture="BE", supplier=supplier, retail_price_cents=retail_price_cents,
        materials=materials, gtins=gtins)
    session.add(RemanufacturedStyle(style_id=style.id))
    session.flush()
    return style


def _season(now: dt.datetime) -> str:
    return f"{'SS' if 3 <= now.month <= 8 else 'AW'}{now.year % 100:02d}"


def _create_line(session: Session, *, style_number: str, size: str, price_cents: Any, project: rules.Project,
                 facts: dict[str, rules.LotFacts], now: dt.datetime) -> None:
    """A remanufactured line for a style number nobody used yet, its composition from the lots."""
    if not isinstance(style_number, str) or not 3 <= len(style_number) <= 40 or not style_number.isprintable() \
            or not isinstance(size, str) or not 1 <= len(size) <= 12 or not size.isprintable() or "," in size:
        raise InvalidDetails({"style_number": N_("Give a style number and a size.")})
    fibres: dict[str, int] = {}
    for fact in facts.values():
        for fibre, pct in fact.composition:
            fibres[fibre] = fibres.get(fibre, 0) + pct
    total = sum(fibres.values()) or 1
    shares = {f: max(1, round(100 * p / total)) for f, p in sorted(fibres.items())} or {"mixed": 100}
    top = max(shares, key=lambda f: shares[f])
    shares[top] += 100 - sum(shares.values())  # rounding leftovers go to the main fibre
    price = price_cents if isinstance(price_cents, int) and not isinstance(price_cents, bool) and price_cents > 0 else 1
    create_line(session, style_number=style_number, name=f"{project.name} ({project.partner_name})"[:120],
                season=_season(now), sizes=[size], supplier=project.partner_name[:120] or "partner",
                retail_price_cents=price,
                materials=[(f, p, True, "remanufactured offcuts") for f, p in shares.items() if p > 0])


def add_product(session: Session, *, project_id: int, style_number: Any, size: Any, price_cents: Any,
                location: Any = None, actor: User, now: dt.datetime) -> dict[str, Any]:
    """Receive a unique product a partner returned as a new garment of a remanufactured style (the
    style is created when its number is new), at ``location`` or the warehouse; it records what it
    was made from. Raises NotFound, ProjectNotOpen, InvalidDetails or NotPermitted (nothing written)."""
    begin_write(session)
    project = project_of(get(session, project_id))
    facts = _lot_facts(session, sorted(project.lots_g))
    styles = _remanufactured_styles(session)
    try:
        if _readable(style_number, 40) and style_number not in styles and \
                session.scalar(select(Style.id).where(Style.style_number == style_number)) is None:
            if project.status is not rules.ProjectStatus.FINISHED:
                _create_line(session, style_number=style_number, size=size, price_cents=price_cents,
                             project=project, facts=facts, now=now)
                styles = _remanufactured_styles(session)
        if style_number in styles and _readable(size, 12) and "," not in size and size not in styles[style_number] \
                and project.status is not rules.ProjectStatus.FINISHED:
            # unique pieces come back in whatever size the partner cut: a remanufactured line grows its size run
            line = catalogue.get_style(session, style_number)
            line.size_run = f"{line.size_run},{size}"
            line.sizes.append(StyleSize(size=size))
            session.flush()
            styles = _remanufactured_styles(session)
        product = rules.return_product(project=project, style_number=style_number, size=size, price_cents=price_cents,
                                       remanufactured_styles=styles, lot_facts=facts)
        where = _receiving_place(session, location, actor)
        style = catalogue.get_style(session, product.style_number)
        garment = catalogue.receive_garment(session, style=style, size=product.size, location_code=where, actor=actor,
                                            now=now, price_cents=product.price_cents, commit=False)
        session.add(RemanufacturedGarment(garment_id=garment.id, project_id=project.id,
                                          made_from=product.made_from.as_dict(), made_at=now))
        ledger.before_commit(session, streams.GARMENTS)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return {"code": garment.code, "style_number": product.style_number, "size": product.size,
            "price_cents": product.price_cents, "location": where, "made_from": product.made_from.as_dict()}


def _receiving_place(session: Session, location: Any, actor: User) -> str:
    if location not in (None, ""):
        if not isinstance(location, str) or len(location) > 40:
            raise InvalidDetails({"location": N_("No such location, or it is closed.")})
        return location  # the garment rules check it is an open stock place
    home = actor.home_location
    if home is not None and home.kind in _STOCK_KINDS and home.active:
        return home.code
    code = session.scalar(select(Location.code).where(Location.kind == LocationKind.WAREHOUSE,
                                                      Location.active.is_(True)).order_by(Location.id).limit(1))
    if code is None:
        raise InvalidDetails({"location": N_("No such location, or it is closed.")})
    return code


def made_from(session: Session, garment_id: int) -> dict[str, Any] | None:
    """What a remanufactured garment was made from (lots, materials, partner), or None for others.

    Public: it names no price, person or stock level, so the public product page may show it."""
    record = session.scalar(select(RemanufacturedGarment.made_from)
                            .where(RemanufacturedGarment.garment_id == garment_id))
    return dict(record) if record is not None else None
