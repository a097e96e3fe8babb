"""Sign in, sign out, language."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user, login_user, logout_user

from cksloop.services import accounts, preferences, throttle
from cksloop.web.auth.forms import LoginForm
from cksloop.web.auth.user import SignedInUser
from cksloop.web.database import db, now
from cksloop.web.guards import allow

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a local path: never send someone to another site after sign-in."""
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return url_for("home.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email, address = form.email.data or "", request.remote_addr
        wait = throttle.check(db(), account=email, address=address, now=now())
        if wait is not None:
            return too_many_attempts(form, wait)
        user = accounts.authenticate(db(), email=email, password=form.password.data or "")
        if user is not None:
            throttle.record_success(db(), account=email, address=address, now=now())
            accounts.record_sign_in(db(), user=user, address=address, now=now())
            lang = session.get("lang")
            session.clear()  # a fresh session on sign-in: no fixation
            if lang:
                session["lang"] = lang
                # chosen on the sign-in page just now: the person's latest word on their language
                _keep_language(user.id, lang)
            login_user(SignedInUser(user))
            return redirect(_safe_next(request.args.get("next")))
        throttle.record_failure(db(), account=email, address=address, now=now())
        accounts.record_failed_sign_in(db(), email=email, address=address, now=now())
        # one message whether the email exists or not: no user enumeration
        flash(gettext("Email or password is wrong."), "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


def too_many_attempts(form: LoginForm, wait: int) -> Any:
    """429 with Retry-After: the same answer for a known and an unknown email."""
    minutes = max(1, -(-wait // 60))
    flash(ngettext("Too many failed sign-ins. Wait %(num)d minute and try again.",
                   "Too many failed sign-ins. Wait %(num)d minutes and try again.", minutes), "error")
    response = make_response(render_template("auth/login.html", form=form), 429)
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/logout", methods=["POST"])
@allow()
def logout() -> Any:
    accounts.record_sign_out(db(), user_id=current_user.id, now=now())
    accounts.end_sessions(db(), user_id=current_user.id)
    logout_user()
    session.clear()
    flash(gettext("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language/<lang>", methods=["POST"])
def set_language(lang: str) -> Any:
    from flask import current_app

    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            _keep_language(current_user.id, lang)  # the same language on every device they sign in to
    return redirect(_safe_next(request.form.get("next") or request.referrer and urlsplit(request.referrer).path))


def _keep_language(user_id: int, lang: str) -> None:
    from flask import current_app

    preferences.set_language(db(), user_id=user_id, language=lang, languages=current_app.config["LANGUAGES"])
