"""A collection's overstock rules, markdown policy and plans as merchandisers edit them: each save a new version."""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cksloop.db.models import CollectionRulesVersion, MarkdownPolicyVersion, Style, StylePlan, User
from cksloop.db.session import begin_write
from cksloop.domain.errors import DomainError
from cksloop.domain.markdown import MarkdownPolicy, parse_policy
from cksloop.domain.messages import N_
from cksloop.domain.overstock_rules import CollectionRules, parse_rules
from cksloop.services import overstock
from cksloop.services.imports.plans import PLAN_COLUMNS, import_plans
from cksloop.services.imports.rows import ImportReport


class SettingsConflict(DomainError):
    """Someone saved the same collection's rules or policy at the same moment."""

    code = "version_conflict"


def rules_as_json(rules: CollectionRules) -> dict[str, Any]:
    """The fields ``overstock.rules_for`` reads back."""
    return {"max_weeks_of_cover": rules.max_weeks_of_cover, "max_age_weeks": rules.max_age_weeks,
            "min_units_on_hand": rules.min_units_on_hand, "plan_tolerance": rules.plan_tolerance,
            "plan": list(rules.plan.weeks)}


def policy_as_json(policy: MarkdownPolicy) -> dict[str, Any]:
    """The values ``markdown.parse_policy`` reads back."""
    return {"steps": [[s.after_weeks, s.percent] for s in policy.steps], "floor_pct": policy.floor_pct,
            "ending_cents": policy.ending_cents}


def _insert(session: Session, row: Any) -> None:
    # the (season, version) key makes two saves at once one version and one refusal, never two of a kind
    try:
        session.add(row)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise SettingsConflict(N_("Someone else saved a new version just now. Look at it and save again.")) from None


def save_rules(session: Session, *, season: str, raw: dict[str, Any], actor_id: int | None,
               now: dt.datetime) -> CollectionRules:
    """Save the rules a merchandiser entered as the collection's next version.
    Raises InvalidDetails naming every wrong field, SettingsConflict on a simultaneous save."""
    current = overstock.rules_for(session, season=season)
    latest = _latest(session, CollectionRulesVersion, season)
    revised = parse_rules(raw, current)
    version = max(revised.version, latest + 1)
    begin_write(session)
    _insert(session, CollectionRulesVersion(season=season, version=version, rules=rules_as_json(revised),
                                            created_at=now, created_by=actor_id))
    return overstock.rules_for(session, season=season)


def save_policy(session: Session, *, season: str, raw: dict[str, Any], actor_id: int | None,
                now: dt.datetime) -> MarkdownPolicy:
    """Save a markdown policy (steps, floor, price ending) as the collection's next version.
    Raises MarkdownRefused (reason ``invalid``) naming what is wrong, SettingsConflict."""
    current = overstock.policy_for(session, season=season)
    version = max(current.version, _latest(session, MarkdownPolicyVersion, season)) + 1
    policy = parse_policy(raw, version=version)
    begin_write(session)
    _insert(session, MarkdownPolicyVersion(season=season, version=version, policy=policy_as_json(policy),
                                           created_at=now, created_by=actor_id))
    return policy


def _latest(session: Session, model: Any, season: str) -> int:
    return session.scalar(select(func.max(model.version)).where(model.season == season)) or 0


@dataclass(frozen=True)
class SavedVersion:
    version: int
    saved_at: dt.datetime
    saved_by: str | None
    values: dict[str, Any]


def history(session: Session, *, season: str, of: str) -> list[SavedVersion]:
    """Every saved version of the collection's ``rules`` or ``policy``, newest first, with who and when."""
    model, column = (CollectionRulesVersion, CollectionRulesVersion.rules) if of == "rules" else \
        (MarkdownPolicyVersion, MarkdownPolicyVersion.policy)
    return [SavedVersion(version, at, name, dict(values)) for version, at, name, values in session.execute(
        select(model.version, model.created_at, User.name, column)
        .outerjoin(User, User.id == model.created_by)
        .where(model.season == season).order_by(model.version.desc()))]


@dataclass(frozen=True)
class StylePlanRow:
    style: str
    name: str
    planned_units: int | None
    short_term_pct: int | None


def plans(session: Session, *, season: str) -> list[StylePlanRow]:
    """Every style of the collection with its plan (None where none is set)."""
    return [StylePlanRow(*row) for row in session.execute(
        select(Style.style_number, Style.name, StylePlan.planned_units, StylePlan.short_term_pct)
        .outerjoin(StylePlan, StylePlan.style_id == Style.id)
        .where(Style.season == season).order_by(Style.style_number))]


def save_plans(session: Session, *, rows: list[dict[str, str]], actor_id: int | None,
               now: dt.datetime) -> ImportReport:
    """Set the plans typed on the page through the plans import, so the form and a CSV file obey the
    same checks and write the same way (all rows or none); rows without a planned quantity are skipped."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=PLAN_COLUMNS)
    writer.writeheader()
    writer.writerows({k: (row.get(k) or "").strip() for k in PLAN_COLUMNS} for row in rows
                     if (row.get("planned_units") or "").strip())
    return import_plans(session, data=out.getvalue().encode("utf-8"), now=now, actor_id=actor_id)
