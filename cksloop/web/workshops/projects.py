"""Remanufacturing pages: projects with a partner, the lots sent, and the products returned as garments."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cksloop.db import queries
from cksloop.domain.errors import DomainError
from cksloop.domain.lifecycle import LocationKind
from cksloop.services import remanufacturing
from cksloop.web.database import db, now
from cksloop.web.guards import allow
from cksloop.web.workshops.blueprint import RECEIVERS, WRITERS, bp, form_text, refusal


def _partners() -> list[Any]:
    return [loc for loc in queries.all_locations(db()) if loc.kind is LocationKind.PARTNER and loc.active]


def _sent_lots() -> list[dict[str, Any]]:
    """Lines "CODE GRAMS" (one a line) as the service's lot lines."""
    lines = []
    for line in (request.form.get("lots", "") or "").splitlines():
        parts = line.replace(",", " ").split()
        if parts:
            lines.append({"code": parts[0], "grams": parts[1] if len(parts) > 1 else None})
    return lines


@bp.get("/projects")
@allow(*WRITERS)
def projects() -> Any:
    return render_template("workshops/projects.html", projects=remanufacturing.list_projects(db()),
                           partners=_partners(), values={}, message=None, fields={})


@bp.post("/projects")
@allow(*WRITERS)
def start_project() -> Any:
    session = db()
    values = {"name": form_text("name", 120) or "", "partner_location": form_text("partner_location", 40) or "",
              "lots": request.form.get("lots", "")[:4000]}
    try:
        project = remanufacturing.start(session, partner_location=values["partner_location"], name=values["name"],
                                        lots=_sent_lots(), actor=current_user.user, now=now())
    except DomainError as error:
        session.rollback()
        message, fields, status = refusal(error)
        return render_template("workshops/projects.html", projects=remanufacturing.list_projects(session),
                               partners=_partners(), values=values, message=message, fields=fields), status
    flash(_("Offcuts sent to the partner."), "success")
    return redirect(url_for("workshops.project", project_id=project["id"]))


@bp.get("/projects/<int:project_id>")
@allow(*WRITERS)
def project(project_id: int) -> Any:
    session = db()
    return render_template("workshops/project.html",
                           project=remanufacturing.project_dict(session, remanufacturing.get(session, project_id)),
                           values={}, message=None, fields={})


@bp.post("/projects/<int:project_id>/products")
@allow(*RECEIVERS)
def add_product(project_id: int) -> Any:
    session = db()
    values = {"style_number": form_text("style_number", 40) or "", "size": form_text("size", 12) or "",
              "price": form_text("price", 12) or ""}
    price: Any = values["price"].replace(",", ".")
    try:
        price = round(float(price) * 100) if price else None
    except ValueError:
        price = None
    try:
        made = remanufacturing.add_product(session, project_id=project_id, style_number=values["style_number"],
                                           size=values["size"], price_cents=price, actor=current_user.user, now=now())
    except DomainError as error:
        session.rollback()
        message, fields, status = refusal(error)
        return render_template("workshops/project.html",
                               project=remanufacturing.project_dict(session, remanufacturing.get(session, project_id)),
                               values=values, message=message, fields=fields), status
    flash(_("Product received as garment %(code)s.", code=made["code"]), "success")
    return redirect(url_for("workshops.project", project_id=project_id))
