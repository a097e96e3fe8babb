"""The audit view: who did what to which garment, when and where (administrators only)."""
from __future__ import annotations

import json
from typing import Any

from flask import render_template, request, url_for

from cksloop.domain.lifecycle import Action, Role
from cksloop.services import audit
from cksloop.web.admin.blueprint import bp
from cksloop.web.admin.forms import AuditFilterForm
from cksloop.web.database import db
from cksloop.web.guards import allow



@bp.get("/audit")
@allow(Role.ADMIN)
def audit_trail() -> Any:
    session = db()
    form = AuditFilterForm(formdata=request.args)
    form.bind_choices(users=audit.users_for_filter(session), locations=audit.locations_for_filter(session))
    if not form.validate():
        return render_template("admin/audit.html", form=form, page=None, older_url=None), 400
    filters = audit.AuditFilter(
        user_id=int(form.user.data) if form.user.data else None,
        action=Action(form.action.data) if form.action.data else None,
        garment_code=(form.garment.data or "").strip() or None,
        location_code=form.location.data or None,
        since=form.since.data,
        until=form.until.data,
    )
    page = audit.search(session, filters=filters, before=form.before.data)
    kept = {k: v for k, v in request.args.items() if k != "before" and v}
    older_url = url_for("admin.audit_trail", **kept, before=page.older_than) if page.older_than else None
    newest_url = url_for("admin.audit_trail", **kept) if form.before.data else None
    return render_template("admin/audit.html", form=form, page=page, older_url=older_url,
                           newest_url=newest_url, detail_text=detail_text)


def detail_text(value: Any) -> str:
    """An event detail as plain text (the template escapes it)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


from cksloop.web.admin import users as _users  # noqa: E402,F401  (registers the users and tokens page on bp)
