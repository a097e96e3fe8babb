"""The users and tokens page (administrators only): create users, give roles and stores, deactivate,
reset passwords, issue and revoke API tokens. A new password or token is shown once, in the answer
to the form that made it, and never again (only hashes are stored)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext

from cksloop.domain.errors import DomainError, InvalidDetails
from cksloop.domain.lifecycle import Role
from cksloop.services import accounts, audit, tokens
from cksloop.web.admin.blueprint import bp
from cksloop.web.admin.user_forms import AccessForm, ConfirmForm, NewUserForm, PasswordForm, TokenForm
from cksloop.web.database import db, now
from cksloop.web.guards import allow

#: user ids are 64-bit at most; a larger number in the URL names nobody
MAX_ID = 2**63 - 1


def _admin() -> Any:
    from flask_login import current_user

    return current_user.user


def _place_errors(form: Any, error: DomainError) -> None:
    """Put a service's field errors on the form's fields, the rest in a message."""
    fields = error.field_errors if isinstance(error, InvalidDetails) else {}
    unplaced = []
    for name, message in fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, gettext(message)]
        else:
            unplaced.append(gettext(message))
    if not fields or unplaced:
        flash(" ".join(unplaced) or error.render(), "error")


@bp.route("/users", methods=["GET", "POST"])
@allow(Role.ADMIN)
def users() -> Any:
    session = db()
    locations = audit.locations_for_filter(session)
    form = NewUserForm()
    form.bind_locations(locations)
    status, shown_password, created = 200, None, None
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            password = form.password.data or accounts.generate_password()
            try:
                created = accounts.create_user(
                    session, email=form.email.data or "", name=form.name.data or "", role=form.role.data,
                    password=password, home_location=form.home_location.data or None,
                    stores=form.stores.data or [], by=_admin(), address=request.remote_addr, now=now())
            except DomainError as error:
                session.rollback()
                _place_errors(form, error)
            else:
                status = 201
                shown_password = None if form.password.data else password
                form = NewUserForm(formdata=None)
                form.bind_locations(locations)
    return render_template("admin/users.html", users=accounts.list_users(session), form=form,
                           stores=accounts.stores_by_user(session), created=created,
                           shown_password=shown_password), status


def _user_or_404(user_id: int) -> Any:
    if user_id > MAX_ID:
        abort(404)
    return accounts.get_user(db(), user_id)


def _render_user(user: Any, *, status: int = 200, access: AccessForm | None = None,
                 password_form: PasswordForm | None = None, token_form: TokenForm | None = None,
                 shown_password: str | None = None, shown_token: str | None = None) -> Any:
    session = db()
    locations = audit.locations_for_filter(session)
    extra = accounts.store_codes(session, user)
    if access is None:
        access = AccessForm(formdata=None, role=user.role.value,
                            home_location=user.home_location.code if user.home_location else "", stores=extra)
    access.bind_locations(locations)
    user_tokens = tokens.list_tokens(session, email=user.email)
    return render_template(
        "admin/user.html", user=user, stores=extra, access=access,
        password_form=password_form or PasswordForm(formdata=None), token_form=token_form or TokenForm(formdata=None),
        confirm=ConfirmForm(), tokens=user_tokens, status_of=lambda t: tokens.token_status(t, now()),
        events=accounts.events_of(session, user_id=user.id), event_label=_event_label,
        names={u.id: u.email for u in accounts.list_users(session)},
        shown_password=shown_password, shown_token=shown_token), status


def _event_label(action: str) -> str:
    text = accounts.EVENT_LABELS.get(action)
    return gettext(text) if text else action


@bp.get("/users/<int:user_id>")
@allow(Role.ADMIN)
def user_detail(user_id: int) -> Any:
    return _render_user(_user_or_404(user_id))


@bp.post("/users/<int:user_id>/access")
@allow(Role.ADMIN)
def user_access(user_id: int) -> Any:
    user = _user_or_404(user_id)
    form = AccessForm()
    form.bind_locations(audit.locations_for_filter(db()))
    if not form.validate_on_submit():
        return _render_user(user, status=422, access=form)
    try:
        accounts.change_role_and_stores(db(), user_id=user.id, role=form.role.data,
                                        home_location=form.home_location.data or None, stores=form.stores.data or [],
                                        by=_admin(), address=request.remote_addr, now=now())
    except DomainError as error:
        db().rollback()
        _place_errors(form, error)
        return _render_user(accounts.get_user(db(), user_id), status=422, access=form)
    flash(gettext("Role and stores of %(email)s saved.", email=user.email), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
@allow(Role.ADMIN)
def user_password(user_id: int) -> Any:
    user = _user_or_404(user_id)
    form = PasswordForm()
    if not form.validate_on_submit():
        return _render_user(user, status=422, password_form=form)
    password = form.password.data or accounts.generate_password()
    try:
        revoked = accounts.reset_password(db(), email=user.email, password=password, now=now(), by=_admin(),
                                          address=request.remote_addr)
    except DomainError as error:
        db().rollback()
        _place_errors(form, error)
        return _render_user(user, status=422, password_form=form)
    flash(ngettext("Password reset: their sessions have ended and %(num)d API token was revoked.",
                   "Password reset: their sessions have ended and %(num)d API tokens were revoked.", revoked),
          "success")
    return _render_user(accounts.get_user(db(), user_id), shown_password=None if form.password.data else password)


@bp.post("/users/<int:user_id>/deactivate")
@allow(Role.ADMIN)
def user_deactivate(user_id: int) -> Any:
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        revoked = accounts.deactivate_user(db(), email=user.email, now=now(), by=_admin(), address=request.remote_addr)
    except DomainError as error:
        db().rollback()
        _place_errors(ConfirmForm(), error)
        return _render_user(accounts.get_user(db(), user_id), status=422)
    flash(ngettext("%(email)s is deactivated; %(num)d API token was revoked.",
                   "%(email)s is deactivated; %(num)d API tokens were revoked.", revoked, email=user.email), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/tokens")
@allow(Role.ADMIN)
def user_token_new(user_id: int) -> Any:
    user = _user_or_404(user_id)
    form = TokenForm()
    if not form.validate_on_submit():
        return _render_user(user, status=422, token_form=form)
    moment = now()
    expires_at = moment + dt.timedelta(days=form.expires_in_days.data) if form.expires_in_days.data else None
    try:
        token = tokens.create_token(db(), email=user.email, label=form.label.data or "", now=moment,
                                      expires_at=expires_at, read_only=bool(form.read_only.data), by=_admin(),
                                      address=request.remote_addr)
    except DomainError as error:
        db().rollback()
        _place_errors(form, error)
        return _render_user(user, status=422, token_form=form)
    return _render_user(user, status=201, shown_token=token)


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@allow(Role.ADMIN)
def user_token_revoke(user_id: int, token_id: int) -> Any:
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit() or token_id > MAX_ID:
        abort(400)
    count = tokens.revoke_tokens(db(), email=user.email, token_id=token_id, now=now(), by=_admin(),
                                   address=request.remote_addr)
    if count:
        flash(gettext("The token is revoked: requests with it are refused from now on."), "success")
    else:
        flash(gettext("No such active token of this user."), "error")
    return redirect(url_for("admin.user_detail", user_id=user.id))
