"""The overstock review of a collection: loads the rollup, stock, plans, rules and policy, and asks the domain."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select, union_all
from sqlalchemy.orm import Session

from cksloop.db.models import (CollectionRulesVersion, Garment, GarmentEvent, Location, MarkdownPolicyVersion,
                               OverstockDailySales, OverstockMonthlySales, Style, StylePlan,
                               StyleSizeReceipts)
from cksloop.db.session import begin_snapshot_read
from cksloop.db.sql_functions import day_ordinal
from cksloop.domain.clock import local_date
from cksloop.domain.lifecycle import Action, GarmentState, LocationKind
from cksloop.domain.markdown import MarkdownPolicy, parse_policy
from cksloop.domain.overstock_figures import (COVER_WINDOW_DAYS, ON_HAND_STATES, Channel, DailySales, Line,
                                              LocationType, Receipt, StockItem, compute_lines, on_hand_location_type)
from cksloop.domain.overstock_proposals import Proposal, propose, store_rates
from cksloop.domain.overstock_rules import CollectionRules, Flag, PlanCurve, evaluate
from cksloop.services.overstock_rollups import as_date


def season_starts_on(season: str) -> dt.date:
    """The first day of a collection: spring/summer from 1 February, autumn/winter from 1 August."""
    return dt.date(2000 + int(season[2:]), 2 if season.startswith("SS") else 8, 1)


def rules_for(session: Session, *, season: str) -> CollectionRules:
    """The collection's latest rules version, or the defaults (version 1) when none was saved."""
    row = session.scalars(select(CollectionRulesVersion).where(CollectionRulesVersion.season == season)
                          .order_by(CollectionRulesVersion.version.desc()).limit(1)).first()
    base = CollectionRules(season=season, season_starts_on=season_starts_on(season))
    if row is None:
        return base
    saved = dict(row.rules)
    plan = PlanCurve(tuple(saved.pop("plan"))) if "plan" in saved else base.plan
    return dataclasses.replace(base, **saved, plan=plan, version=row.version)


def policy_for(session: Session, *, season: str) -> MarkdownPolicy:
    """The collection's latest markdown policy version, or the default policy."""
    row = session.scalars(select(MarkdownPolicyVersion).where(MarkdownPolicyVersion.season == season)
                          .order_by(MarkdownPolicyVersion.version.desc()).limit(1)).first()
    return MarkdownPolicy() if row is None else parse_policy(row.policy, version=row.version)


def latest_season_with_stock(session: Session) -> str | None:
    """The newest collection that has garments on hand (SS before AW within a year).

    Newest first, each asked whether one garment is on hand (from the stock index, stopping at
    the first): joining every garment on hand to its style read half a million rows at 1M.
    """
    seasons = session.scalars(select(Style.season).distinct()).all()
    for season in sorted(seasons, key=lambda s: (s[2:], s[:2] == "AW"), reverse=True):
        if session.scalar(select(Garment.id).where(
                Garment.style_id.in_(select(Style.id).where(Style.season == season)),
                Garment.state.in_(ON_HAND_STATES)).limit(1)) is not None:
            return season
    return None


@dataclass(frozen=True)
class ReviewLine:
    """One style's figures, the rules it breaks and the proposed actions, best first."""

    line: Line
    flags: list[Flag]
    proposals: list[Proposal]

    def as_dict(self, gettext: Any = None) -> dict[str, Any]:
        shown = self.line.as_shown()
        return {"style": self.line.key, **shown, "sold": shown["sold_total"], "on_hand": shown["on_hand_total"],
                "sold_by_channel": shown["sold"], "on_hand_by_location_type": shown["on_hand"],
                "flags": [f.as_dict(gettext) for f in self.flags],
                "proposals": [p.as_dict(gettext) for p in self.proposals]}


@dataclass(frozen=True)
class Review:
    season: str
    as_of: dt.date
    location: str | None
    rules_version: int
    policy_version: int
    lines: list[ReviewLine]


@dataclass(frozen=True)
class Unit:
    """One garment of the collection as the review reads it: where it is now and when it came in.

    ``location_type`` is None when the garment is no longer on hand (sold, shipped, retired).
    The pages' garment lists are these rows, so a list's count is the figure it explains.
    """

    code: str
    style: str
    size: str
    location: str
    location_type: LocationType | None
    received_on: dt.date
    received_at: str
    price_cents: int
    original_price_cents: int


@dataclass(frozen=True)
class ReviewInputs:
    """What the review computes from: rollup rows, receipts, stock and plans (and the garments behind them)."""

    sales: list[DailySales]
    receipts: list[Receipt]
    stock: list[StockItem]
    units: list[Unit]
    planned: dict[str, int]
    names: dict[str, str]


def review_inputs(session: Session, *, season: str, as_of: dt.date, location: str | None = None,
                  style: str | None = None) -> ReviewInputs:
    """The rows ``review`` computes from, for the collection (or one of its styles, for a drill)."""
    styles_of = select(Style.id).where(Style.season == season)
    if style is not None:
        styles_of = styles_of.where(Style.style_number == style)
    styles = styles_of.scalar_subquery()
    where_location = [Location.code == location] if location else []
    sales = [DailySales(day, number, size, code, Channel(channel), sold, returned)
             for day, number, size, code, channel, sold, returned in session.execute(
                 select(OverstockDailySales.day, Style.style_number, OverstockDailySales.size, Location.code,
                        OverstockDailySales.channel, OverstockDailySales.sold, OverstockDailySales.returned)
                 .join(Style, Style.id == OverstockDailySales.style_id)
                 .join(Location, Location.id == OverstockDailySales.location_id)
                 .where(OverstockDailySales.style_id.in_(styles), OverstockDailySales.day <= as_of,
                        *where_location))]
    first = (select(GarmentEvent.garment_id, func.min(GarmentEvent.occurred_at).label("at"),
                    func.min(GarmentEvent.location_id).label("location_id"))
             .where(GarmentEvent.action == Action.RECEIVE, GarmentEvent.garment_id.in_(
                 select(Garment.id).where(Garment.style_id.in_(styles))))
             .group_by(GarmentEvent.garment_id).subquery())
    received_at = Location.__table__.alias("received_at")
    receipts, stock, units = [], [], []
    for code, number, size, state, here, kind, price, retail, at, first_code in session.execute(
            select(Garment.code, Style.style_number, Garment.size, Garment.state, Location.code, Location.kind,
                   Garment.price_cents, Style.retail_price_cents, first.c.at, received_at.c.code)
            .join(Style, Style.id == Garment.style_id).join(first, first.c.garment_id == Garment.id)
            .outerjoin(Location, Location.id == Garment.location_id)
            .outerjoin(received_at, received_at.c.id == first.c.location_id)):
        day = local_date(at)
        if not location or first_code == location:
            receipts.append(Receipt(day, number, size, first_code or "", 1))
        kind_on_hand = on_hand_location_type(state, kind)
        if kind_on_hand is not None and (not location or here == location):
            stock.append(StockItem(number, size, here or "", kind_on_hand, day, price or retail, retail))
        units.append(Unit(code, number, size, here or "", kind_on_hand, day, first_code or "", price or retail,
                          retail))
    planned = dict(session.execute(select(Style.style_number, StylePlan.planned_units)
                                   .join(Style, Style.id == StylePlan.style_id).where(Style.season == season))
                   .all())
    names = dict(session.execute(select(Location.code, Location.name)).all())
    return ReviewInputs(sales, receipts, stock, units, planned, names)


def collection_inputs(session: Session, *, season: str, as_of: dt.date, location: str | None,
                      style: str | None = None) -> ReviewInputs:
    """What ``review`` computes from for a whole collection, summed in SQL where the review only adds.

    The same figures as ``review_inputs`` (a test holds them equal), read at collection scale: sales
    before the cover window are one row per style and channel (the review only adds them up; the
    window's rows stay by day and place for the store rates), receipts one row per style and size
    with their count and first day, and stock only the garments on hand. No garment list is built.
    ``style`` narrows it to one style of the collection (its line is the same as in the whole review).
    """
    one_style = [Style.style_number == style] if style is not None else []
    styles = select(Style.id).where(Style.season == season, *one_style).scalar_subquery()
    window_from = as_of - dt.timedelta(days=COVER_WINDOW_DAYS - 1)
    place = Location.__table__.alias("place")
    in_place = [place.c.code == location] if location else []
    conn = session.connection()
    ods = OverstockDailySales.__table__
    # styles and places are looked up in memory: grouping by ids follows the indexes' order, where
    # grouping by a joined style number sorted every row again (about half of a statement's time)
    of_style = {i: (number, retail) for i, number, retail in conn.execute(
        select(Style.id, Style.style_number, Style.retail_price_cents)
        .where(Style.season == season, *one_style))}
    places = {i: (code, LocationKind(kind)) for i, code, kind in conn.execute(
        select(Location.id, Location.code, Location.kind))}
    sold_here = [ods.c.location_id.in_([i for i, (code, _) in places.items() if code == location])] \
        if location else []
    # Sales before the cover window, per style and channel: whole months from the monthly rows, the
    # days of the window's first month before it from the daily ones. At one location: daily rows.
    oms = OverstockMonthlySales.__table__
    month_from = window_from.replace(day=1)
    before = [] if location else [select(oms.c.style_id, oms.c.channel, oms.c.sold, oms.c.returned)
                                  .where(oms.c.style_id.in_(styles), oms.c.month < month_from)]
    days_from = [ods.c.day >= month_from] if not location else []
    before.append(select(ods.c.style_id, ods.c.channel, ods.c.sold, ods.c.returned)
                  .where(ods.c.style_id.in_(styles), *days_from, ods.c.day < window_from, *sold_here))
    counted = union_all(*before).subquery() if len(before) > 1 else before[0].subquery()
    sales = [DailySales(window_from - dt.timedelta(days=1), of_style[style_id][0], "", "", Channel(channel),
                        int(sold), int(back))
             for style_id, channel, sold, back in conn.execute(
                 select(counted.c.style_id, counted.c.channel, func.sum(counted.c.sold), func.sum(counted.c.returned))
                 .group_by(counted.c.style_id, counted.c.channel))]
    sales += [DailySales(day, number, size, code, Channel(channel), sold, back)
              for day, number, size, code, channel, sold, back in conn.execute(
                  select(ods.c.day, Style.style_number, ods.c.size, place.c.code, ods.c.channel, ods.c.sold,
                         ods.c.returned)
                  .join(Style, Style.id == ods.c.style_id).join(place, place.c.id == ods.c.location_id)
                  .where(ods.c.style_id.in_(styles), ods.c.day >= window_from, ods.c.day <= as_of, *in_place))]
    garments = Garment.__table__
    received = (select(garments.c.style_id, garments.c.size, func.count(), func.min(garments.c.received_on))
                .where(garments.c.received_on <= as_of).group_by(garments.c.style_id, garments.c.size))
    if location:  # received here: the garment's first event (its receipt) took place at this location
        first = GarmentEvent.__table__
        counted_styles = list(of_style)
        received = (received.join(first, (first.c.garment_id == garments.c.id) & (first.c.seq == 1))
                    .join(place, place.c.id == first.c.location_id).where(*in_place))
        receipts = []
    else:
        # the receipts kept per style and size where the review date is on or after the last of
        # them (a review of today), the garments counted for the styles where it is not
        receipts, counted_styles = receipts_by_size(conn, of_style, as_of)
    if counted_styles:
        receipts += [Receipt(as_date(on), of_style[style_id][0], size, location or "", int(n))
                     for style_id, size, n, on in conn.execute(
                         received.where(garments.c.style_id.in_(counted_styles)))]
    here_only = [garments.c.location_id.in_([i for i, (code, _) in places.items() if code == location])] \
        if location else []
    # The stock on hand in rows of garments the figures and proposals cannot tell apart, with their
    # receipt days added up by the database: alike in style, size, kind of stock, price and place,
    # on one side of the review date. The domain sees a unit's location type, not its state: a
    # rental stay (in the pool, rented out, back for inspection) counts in the rental pool wherever
    # it is, so its place is not kept either; shelf stock counts by its place's kind. The stores
    # where the style has not sold in the cover window count as one place ("": all of it may move to
    # a store that sells), which at chain scale is most of the shelf stock; a store that sells it
    # keeps its code. "Sells" is ``store_rates``' rule (net units sold there in the window > 0) in
    # SQL; a test holds the figures and proposals equal to those of the garments.
    selling = (select(ods.c.style_id, ods.c.location_id)
               .where(ods.c.style_id.in_(list(of_style)), ods.c.channel == Channel.STORE.value,
                      ods.c.day >= window_from, ods.c.day <= as_of)
               .group_by(ods.c.style_id, ods.c.location_id)
               .having(func.sum(ods.c.sold - ods.c.returned) > 0).subquery("selling"))
    at_store = garments.c.location_id.in_([i for i, (_, kind) in places.items() if kind == LocationKind.STORE])
    in_pool = garments.c.state.in_([s.value for s in _POOL_STATES])
    kind = case((in_pool, _IN_POOL), (at_store, _AT_STORE), else_=_ELSEWHERE).label("kind")
    group = (garments.c.style_id, garments.c.size, kind, garments.c.price_cents,
             case((in_pool, None), (at_store & selling.c.location_id.is_(None), None),
                  else_=garments.c.location_id).label("place"),
             (garments.c.received_on > as_of).label("later"))
    if conn.dialect.name == "postgresql" and conn.in_transaction():
        # PostgreSQL cannot estimate how few groups the computed kind and place make (it takes each
        # row for its own group), so it sorts every (style, size) run of the index again instead of
        # hashing ~6,000 groups: 146 -> 65 ms at 1M garments. For this transaction only.
        conn.exec_driver_sql("SET LOCAL enable_incremental_sort = off")
    stock = []
    for style_id, size, how, price, location_id, _, units, first_on, ordinals in conn.execute(
            select(*group, func.count(), func.min(garments.c.received_on),
                   func.sum(day_ordinal(garments.c.received_on)))
            .select_from(garments)
            .outerjoin(selling, (selling.c.style_id == garments.c.style_id)
                       & (selling.c.location_id == garments.c.location_id))
            .where(garments.c.style_id.in_(list(of_style)),
                   garments.c.state.in_([s.value for s in ON_HAND_STATES]), *here_only)
            .group_by(*group)).all():
        if how == _IN_POOL:
            counts_as = LocationType.RENTAL_POOL
        else:
            place_kind = LocationKind.STORE if how == _AT_STORE else places[location_id][1] \
                if location_id in places else None
            counts_as = on_hand_location_type(GarmentState.IN_STOCK, place_kind)  # any shelf state: by place
        number, retail = of_style[style_id]
        stock.append(StockItem(number, size, places[location_id][0] if location_id in places else "",
                               counts_as, as_date(first_on), price or retail, retail, int(units), int(ordinals)))
    planned = dict(session.execute(select(Style.style_number, StylePlan.planned_units)
                                   .join(Style, Style.id == StylePlan.style_id).where(Style.season == season))
                   .all())
    names = dict(session.execute(select(Location.code, Location.name)).all())
    return ReviewInputs(sales, receipts, stock, [], planned, names)


def receipts_by_size(conn: Any, of_style: dict[int, tuple[str, int]],
                     as_of: dt.date) -> tuple[list[Receipt], list[int]]:
    """The kept receipts (``style_size_receipts``) of the styles whose every size was last received
    on or before ``as_of``, and the styles whose garments must be counted instead."""
    ssr = StyleSizeReceipts.__table__
    rows = conn.execute(select(ssr.c.style_id, ssr.c.size, ssr.c.units, ssr.c.first_on, ssr.c.last_on)
                        .where(ssr.c.style_id.in_(list(of_style)))).all()
    later = {style_id for style_id, _, _, _, last in rows if as_date(last) > as_of}
    return ([Receipt(as_date(first), of_style[style_id][0], size, "", units)
             for style_id, size, units, first, _ in rows if style_id not in later], sorted(later))


#: how a group of stock on hand counts (``kind`` in ``collection_inputs``' stock statement)
_IN_POOL, _AT_STORE, _ELSEWHERE = 2, 1, 0
_POOL_STATES = frozenset(s for s in ON_HAND_STATES
                         if on_hand_location_type(s, LocationKind.STORE) is LocationType.RENTAL_POOL)


def review(session: Session, *, season: str, as_of: dt.date, location: str | None = None,
           style: str | None = None) -> Review:
    """The overstock figures, flags and proposals of ``season`` on ``as_of`` (at one location, if given).

    Sales come from the daily rollup up to ``as_of``; stock is the garments on hand now, so a past
    ``as_of`` shows today's stock against that day's sales (the review session stores its lines).
    ``style`` gives that one style's line (a style's line depends on nothing of the others).
    """
    begin_snapshot_read(session)
    rules, policy = rules_for(session, season=season), policy_for(session, season=season)
    inputs = collection_inputs(session, season=season, as_of=as_of, location=location, style=style)
    sales, stock = inputs.sales, inputs.stock
    lines = compute_lines(as_of=as_of, sales=sales, stock=stock, receipts=inputs.receipts,
                          planned=inputs.planned)
    # grouped once: filtering the whole season's stock and sales per style grew with styles × garments
    stock_of: dict[str, list[Any]] = {}
    for unit in stock:
        stock_of.setdefault(unit.style, []).append(unit)
    sales_of: dict[str, list[DailySales]] = {}
    for row in sales:
        sales_of.setdefault(row.style, []).append(row)
    out = []
    for style, line in lines.items():
        flags = evaluate(line, rules)
        out.append(ReviewLine(line, flags, propose(
            line=line, flags=flags, stock=stock_of.get(style, []), policy=policy,
            rates=store_rates(style=style, as_of=as_of, sales=sales_of.get(style, []), names=inputs.names))))
    return Review(season, as_of, location, rules.version, policy.version, out)
