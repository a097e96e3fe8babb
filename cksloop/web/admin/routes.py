"""The audit view: who did what to which garment, when and where, and who signed in or changed users
and tokens (administrators only); as a page and as CSV."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, render_template, request, url_for
from flask_babel import gettext

from cksloop.domain.lifecycle import Action, Role
from cksloop.services import accounts, audit
from cksloop.web.admin.audit_text import account_lines, csv_rows, garment_lines
from cksloop.web.admin.blueprint import bp
from cksloop.web.admin.forms import AuditFilterForm
from cksloop.web.database import db, now
from cksloop.web.guards import allow

#: an export stops here and says so: a bigger one is a database job, not a browser download
EXPORT_CAP = 20_000


def _form() -> tuple[AuditFilterForm, bool]:
    session = db()
    form = AuditFilterForm(formdata=request.args)
    actions = [(value, gettext(label)) for value, label in accounts.EVENT_LABELS.items()]
    form.bind_choices(users=audit.users_for_filter(session), locations=audit.locations_for_filter(session),
                      account_actions=actions)
    return form, form.validate()


def _filters(form: AuditFilterForm) -> audit.AuditFilter | audit.AccountFilter:
    user_id = int(form.user.data) if form.user.data else None
    if form.kind.data == "accounts":
        return audit.AccountFilter(user_id=user_id, action=form.action.data or None, since=form.since.data,
                                   until=form.until.data)
    return audit.AuditFilter(
        user_id=user_id, action=Action(form.action.data) if form.action.data else None,
        garment_code=(form.garment.data or "").strip() or None, location_code=form.location.data or None,
        since=form.since.data, until=form.until.data)


def _search(filters: Any, before: int | None, limit: int = audit.PAGE_SIZE) -> Any:
    if isinstance(filters, audit.AccountFilter):
        return audit.search_accounts(db(), filters=filters, before=before, limit=limit)
    return audit.search(db(), filters=filters, before=before, limit=limit)


@bp.get("/audit")
@allow(Role.ADMIN)
def audit_trail() -> Any:
    form, valid = _form()
    if not valid:
        return render_template("admin/audit.html", form=form, page=None, older_url=None, lines=[]), 400
    filters = _filters(form)
    page = _search(filters, form.before.data)
    kept = {k: v for k, v in request.args.items() if k != "before" and v}
    older_url = url_for("admin.audit_trail", **kept, before=page.older_than) if page.older_than else None
    newest_url = url_for("admin.audit_trail", **kept) if form.before.data else None
    lines = (account_lines(page.entries) if isinstance(filters, audit.AccountFilter)
             else garment_lines(db(), page.entries))
    tabs = {kind: url_for("admin.audit_trail", **{**{k: v for k, v in kept.items() if k != "action"}, "kind": kind})
            for kind in ("garments", "accounts")}
    return render_template("admin/audit.html", form=form, page=page, lines=lines, older_url=older_url,
                           newest_url=newest_url, export_url=url_for("admin.audit_export", **kept), tabs=tabs)


@bp.get("/audit.csv")
@allow(Role.ADMIN)
def audit_export() -> Any:
    """Every event the filters find (up to EXPORT_CAP), newest first, the filters named at the top."""
    form, valid = _form()
    if not valid:
        return render_template("admin/audit.html", form=form, page=None, older_url=None, lines=[]), 400
    filters = _filters(form)

    def entries() -> Iterator[Any]:
        before, sent = None, 0
        while sent < EXPORT_CAP:
            page = _search(filters, before, limit=min(500, EXPORT_CAP - sent))
            yield page.entries
            sent += len(page.entries)
            if page.older_than is None:
                return
            before = page.older_than

    named = [(str(f.label.text), _shown(f)) for f in (form.kind, form.user, form.action, form.garment,
                                                      form.location, form.since, form.until) if f.data]
    body = csv_rows(db(), filters, entries(), named=named, cap=EXPORT_CAP)
    response = Response(body, mimetype="text/csv; charset=utf-8")
    stamp = now().strftime("%Y%m%d-%H%M")
    response.headers["Content-Disposition"] = f'attachment; filename="cksloop-audit-{stamp}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _shown(field: Any) -> str:
    choices = getattr(field, "choices", None)
    if choices:
        return next((str(c.label) for c in choices if str(c.value) == str(field.data)), str(field.data))
    return str(field.data)


from cksloop.web.admin import users as _users  # noqa: E402,F401  (registers the users and tokens page on bp)
