"""Overstock review sessions: open one (its lines and rule versions stored), record decisions, read it back
with the previous review's decisions and their effect. Executing is ``overstock_execution``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cksloop.db.models import (BuyerLot, Garment, Location, OverstockDailySales, OverstockReview,
                               OverstockReviewDecision, Style, User)
from cksloop.db.session import begin_write
from cksloop.domain.buyer_lots import LotStatus
from cksloop.domain.clock import local_date
from cksloop.domain.errors import InvalidDetails, NotFound
from cksloop.domain.lifecycle import LocationKind
from cksloop.domain.markdown import GarmentPrice, plan_markdown
from cksloop.domain.messages import N_
from cksloop.domain.overstock_figures import Channel, DailySales
from cksloop.domain.overstock_proposals import Decision
from cksloop.domain.overstock_review import DecisionRequest, decision_effect, parse_as_of, parse_decision
from cksloop.domain.overstock_sessions import NOTHING_CONCERNED, concerns
from cksloop.services import overstock

Translate = Callable[[str], str]


def _texts(line: overstock.ReviewLine) -> dict[str, Any]:
    """The untranslated templates of a line's flags and proposals, so a stored line reads in any language."""
    return {"flags": [{"message": f.message, "params": dict(f.params)} for f in line.flags],
            "proposals": [{"reason": p.reason, "params": dict(p.params)} for p in line.proposals]}


def open_review(session: Session, *, season: str, as_of: dt.date | str | None, actor: User,
                now: dt.datetime) -> OverstockReview:
    """Open a review session of ``season`` on ``as_of`` (default today): the lines as the review
    computes them now, with the rules and policy versions used, stored and committed.
    Raises InvalidDetails for a date that is malformed or in the future."""
    day = parse_as_of(as_of, today=local_date(now))
    result = overstock.review(session, season=season, as_of=day)
    lines = [{**line.as_dict(None), "texts": _texts(line)} for line in result.lines]
    begin_write(session)
    row = OverstockReview(season=season, as_of=day, rules_version=result.rules_version,
                          policy_version=result.policy_version, lines=lines, created_at=now, created_by=actor.id)
    session.add(row)
    session.commit()
    return row


def get_review(session: Session, review_id: int) -> OverstockReview:
    row = session.get(OverstockReview, review_id, populate_existing=True)
    if row is None:
        raise NotFound(N_("No review with number %(id)s."), id=review_id)
    return row


def get_decision(session: Session, review_id: int, decision_id: int) -> OverstockReviewDecision:
    row = session.get(OverstockReviewDecision, decision_id, populate_existing=True)
    if row is None or row.review_id != review_id:
        raise NotFound(N_("No decision with number %(id)s in this review."), id=decision_id)
    return row


def concerned_garments(session: Session, *, style: str, request: DecisionRequest) -> dict[str, str]:
    """The garments of ``style`` the decision acts on now, code → state."""
    rows = session.execute(
        select(Garment.code, Garment.state, Location.kind, Location.code)
        .join(Style, Style.id == Garment.style_id).outerjoin(Location, Location.id == Garment.location_id)
        .where(Style.style_number == style)).all()
    return {code: state.value for code, state, kind, where in rows
            if concerns(request.decision, state=state, location_kind=kind, location=where,
                        to_location=request.to_location)}


def _check_parameters(session: Session, review: OverstockReview, request: DecisionRequest,
                      codes: Mapping[str, str]) -> None:
    """What the decision names must exist now: the destination of its kind, an open lot, a markdown
    the policy allows on these garments. Raises InvalidDetails or MarkdownRefused."""
    if request.decision in (Decision.TRANSFER, Decision.OUTLET):
        kind = session.scalar(select(Location.kind).where(Location.code == request.to_location))
        wanted = (LocationKind.OUTLET,) if request.decision is Decision.OUTLET else \
            (LocationKind.STORE, LocationKind.WAREHOUSE)
        if kind is None:
            raise InvalidDetails({"to_location": N_("No such location.")})
        if kind not in wanted:
            raise InvalidDetails({"to_location": N_("This kind of location cannot take the garment for this action.")})
    if request.decision is Decision.BUYER_LOT:
        status = session.scalar(select(BuyerLot.status).where(BuyerLot.id == request.buyer_lot_id))
        if status is not LotStatus.DRAFT:
            raise InvalidDetails({"buyer_lot_id": N_("No open buyer lot with this number.")})
    if request.decision is Decision.HOLD:
        return
    if not codes:
        raise InvalidDetails({"style": NOTHING_CONCERNED})
    if request.decision is Decision.MARK_DOWN:
        policy = overstock.policy_for(session, season=review.season)
        plan_markdown(policy, prices(session, list(codes)), percent=request.percent,
                      target_price_cents=request.target_price_cents)


def prices(session: Session, codes: list[str]) -> list[GarmentPrice]:
    """The garments as a markdown sees them: state, current and original (retail) price."""
    out: list[GarmentPrice] = []
    for start in range(0, len(codes), 500):
        out += [GarmentPrice(code, state, price if price is not None else retail, retail)
                for code, state, price, retail in session.execute(
                    select(Garment.code, Garment.state, Garment.price_cents, Style.retail_price_cents)
                    .join(Style, Style.id == Garment.style_id).where(Garment.code.in_(codes[start:start + 500]))
                    .order_by(Garment.code))]
    return out


def record_decision(session: Session, *, review_id: int, raw: Mapping[str, Any], actor: User,
                    now: dt.datetime) -> OverstockReviewDecision:
    """Record a decision for a line of the review, with the garments it concerns now.

    Raises NotFound (review), InvalidDetails (a style not in the review, a bad parameter, no garment
    the decision can act on) or MarkdownRefused (over 100 %, under the floor, a price rise)."""
    review = get_review(session, review_id)
    request = parse_decision(raw, styles={line["style"] for line in review.lines})
    codes = concerned_garments(session, style=request.style, request=request)
    _check_parameters(session, review, request, codes)
    begin_write(session)
    row = OverstockReviewDecision(review_id=review.id, style=request.style, decision=request.decision.value,
                                  reason=request.reason, params=dict(request.params), garments=codes,
                                  decided_at=now, decided_by=actor.id)
    session.add(row)
    session.commit()
    return row


def list_reviews(session: Session, *, season: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The review sessions, newest first, with how many decisions each holds and how many were executed."""
    counts = (select(OverstockReviewDecision.review_id, func.count().label("decided"),
                     func.count(OverstockReviewDecision.executed_at).label("executed"))
              .group_by(OverstockReviewDecision.review_id).subquery())
    query = (select(OverstockReview.id, OverstockReview.season, OverstockReview.as_of, OverstockReview.created_at,
                    counts.c.decided, counts.c.executed)
             .outerjoin(counts, counts.c.review_id == OverstockReview.id)
             .order_by(OverstockReview.as_of.desc(), OverstockReview.id.desc()).limit(limit))
    if season:
        query = query.where(OverstockReview.season == season)
    return [{"id": id_, "season": s, "as_of": day.isoformat(), "created_at": created.isoformat(),
             "decisions": decided or 0, "executed": executed or 0}
            for id_, s, day, created, decided, executed in session.execute(query)]


def previous_review(session: Session, review: OverstockReview) -> OverstockReview | None:
    """The review of the same season before this one (earlier date, or the same date opened earlier)."""
    return session.scalars(
        select(OverstockReview).where(OverstockReview.season == review.season, OverstockReview.id != review.id,
                                      (OverstockReview.as_of < review.as_of)
                                      | ((OverstockReview.as_of == review.as_of) & (OverstockReview.id < review.id)))
        .order_by(OverstockReview.as_of.desc(), OverstockReview.id.desc()).limit(1)).first()


def _sales(session: Session, styles: set[str], after: dt.date, upto: dt.date) -> list[DailySales]:
    if not styles:
        return []
    return [DailySales(day, style, size, code, Channel(channel), sold, returned)
            for day, style, size, code, channel, sold, returned in session.execute(
                select(OverstockDailySales.day, Style.style_number, OverstockDailySales.size, Location.code,
                       OverstockDailySales.channel, OverstockDailySales.sold, OverstockDailySales.returned)
                .join(Style, Style.id == OverstockDailySales.style_id)
                .join(Location, Location.id == OverstockDailySales.location_id)
                .where(Style.style_number.in_(sorted(styles)), OverstockDailySales.day > after,
                       OverstockDailySales.day <= upto))]


def _line_texts(line: dict[str, Any], gettext: Translate | None) -> dict[str, Any]:
    """A stored line in the reader's language (the stored English without ``gettext``)."""
    shown = {k: v for k, v in line.items() if k != "texts"}
    texts = line.get("texts")
    if gettext is None or not texts:
        return shown
    shown["flags"] = [{**flag, "message": gettext(t["message"]) % t["params"]}
                      for flag, t in zip(line["flags"], texts["flags"])]
    shown["proposals"] = [{**p, "reason": gettext(t["reason"]) % t["params"]}
                          for p, t in zip(line["proposals"], texts["proposals"])]
    return shown


def decision_view(row: OverstockReviewDecision, names: Mapping[int, str]) -> dict[str, Any]:
    return {"id": row.id, "review_id": row.review_id, "style": row.style, "decision": row.decision,
            "reason": row.reason, "params": dict(row.params), "garments": len(row.garments),
            "decided_by": names.get(row.decided_by) if row.decided_by else None,
            "decided_at": row.decided_at.isoformat(), "executed": row.executed_at is not None,
            "executed_at": row.executed_at.isoformat() if row.executed_at else None,
            "executed_by": names.get(row.executed_by) if row.executed_by else None,
            "wrote": dict(row.result) if row.result is not None else None}


def _decisions(session: Session, review_id: int) -> list[OverstockReviewDecision]:
    return list(session.scalars(select(OverstockReviewDecision).where(OverstockReviewDecision.review_id == review_id)
                                .order_by(OverstockReviewDecision.id)))


def review_view(session: Session, review_id: int, gettext: Translate | None = None) -> dict[str, Any]:
    """The review as the API and the page show it: its lines, its decisions, and the previous
    review's decisions with their effect since (units sold and sell-through, by channel)."""
    review = get_review(session, review_id)
    decisions = _decisions(session, review.id)
    previous = previous_review(session, review)
    earlier = _decisions(session, previous.id) if previous else []
    people = {d.decided_by for d in decisions + earlier} | {d.executed_by for d in decisions + earlier}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_([p for p in people if p])))
                 .all()) if any(people) else {}
    out: dict[str, Any] = {
        "id": review.id, "season": review.season, "as_of": review.as_of.isoformat(),
        "rules_version": review.rules_version, "policy_version": review.policy_version,
        "lines": [_line_texts(line, gettext) for line in review.lines],
        "decisions": [decision_view(d, names) for d in decisions], "previous": None}
    if previous is not None:
        on_hand = {line["style"]: line["on_hand"] for line in review.lines}
        sales = _sales(session, {d.style for d in earlier}, previous.as_of, review.as_of)
        out["previous"] = {"id": previous.id, "as_of": previous.as_of.isoformat(), "decisions": [
            {**decision_view(d, names),
             "effect": decision_effect(style=d.style, decided_on=previous.as_of, as_of=review.as_of, sales=sales,
                                       on_hand=on_hand.get(d.style, 0)).as_shown()}
            for d in earlier]}
    return out
