"""A collection's overstock rules, markdown policy and plans, edited on pages; every save is a new version."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, gettext, ngettext
from flask_login import current_user

from cksloop.domain.errors import DomainError, InvalidDetails, NotFound
from cksloop.domain.messages import N_
from cksloop.services import overstock, overstock_settings
from cksloop.web.database import db, now
from cksloop.web.guards import allow
from cksloop.web.i18n import translate_error
from cksloop.web.overstock.reading import known_season
from cksloop.web.overstock.routes import MERCH, bp

RULE_FIELDS = ("max_weeks_of_cover", "max_age_weeks", "min_units_on_hand", "plan_tolerance_pct", "plan",
               "end_of_season_pct")
POLICY_FIELDS = ("steps", "floor_pct", "ending_cents")


def _season_or_404(season: str) -> str:
    known = known_season(season)
    if known is None:
        raise NotFound(N_("No collection %(season)s."), season=season[:8])
    return known


def _render_rules(season: str, *, errors: dict[str, str], values: dict[str, str], status: int = 200) -> Any:
    rules = overstock.rules_for(db(), season=season)
    policy = overstock.policy_for(db(), season=season)
    return render_template(
        "overstock/rules.html", season=season, rules=rules, policy=policy, errors=errors, values=values,
        steps_text=", ".join(f"{s.after_weeks}:{s.percent}" for s in policy.steps), format_datetime=format_datetime,
        rules_history=overstock_settings.history(db(), season=season, of="rules"),
        policy_history=overstock_settings.history(db(), season=season, of="policy")), status


@bp.route("/overstock/<season>/rules", methods=["GET", "POST"])
@allow(*MERCH)
def rules(season: str) -> Any:
    season = _season_or_404(season)
    if request.method == "GET":
        return _render_rules(season, errors={}, values={})
    which = request.form.get("save")
    fields = POLICY_FIELDS if which == "policy" else RULE_FIELDS
    values = {name: request.form.get(name, "")[:200] for name in fields}
    try:
        if which == "policy":
            saved = overstock_settings.save_policy(db(), season=season, raw=values, actor_id=current_user.id,
                                                   now=now())
            flash(gettext("Markdown policy version %(v)s saved.", v=saved.version), "success")
        else:
            saved_rules = overstock_settings.save_rules(db(), season=season, raw=values,
                                                        actor_id=current_user.id, now=now())
            flash(gettext("Rules version %(v)s saved.", v=saved_rules.version), "success")
    except InvalidDetails as refused:
        db().rollback()
        return _render_rules(season, errors={k: gettext(v) for k, v in refused.field_errors.items()},
                             values=values, status=422)
    except DomainError as refused:
        db().rollback()
        return _render_rules(season, errors={"policy" if which == "policy" else "rules": translate_error(refused)},
                             values=values, status=409 if refused.code == "version_conflict" else 422)
    return redirect(url_for("overstock.rules", season=season))


@bp.route("/overstock/<season>/plans", methods=["GET", "POST"])
@allow(*MERCH)
def plans(season: str) -> Any:
    season = _season_or_404(season)
    rows = overstock_settings.plans(db(), season=season)
    if request.method == "GET":
        return render_template("overstock/plans.html", season=season, rows=rows, errors=[], values={})
    typed = [{"style_number": r.style, "planned_units": request.form.get(f"planned_{r.style}", "")[:12],
              "short_term_pct": request.form.get(f"short_{r.style}", "")[:12]} for r in rows]
    values = {row["style_number"]: row for row in typed}
    sent = [row for row in typed if row["planned_units"].strip()]
    report = overstock_settings.save_plans(db(), rows=typed, actor_id=current_user.id, now=now())
    if report.errors:
        # the import numbers rows as a file would (header = 1): row 2 is the first style sent
        errors = [(sent[e.row - 2]["style_number"] if e.row and 2 <= e.row < len(sent) + 2 else "",
                   gettext(e.message, **e.params) if e.params else gettext(e.message)) for e in report.errors]
        return render_template("overstock/plans.html", season=season, rows=rows, errors=errors,
                               values=values), 422
    flash(ngettext("%(num)d plan saved.", "%(num)d plans saved.", report.imported), "success")
    return redirect(url_for("overstock.plans", season=season))

