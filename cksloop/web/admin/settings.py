"""The admin's settings page: the store discount limit (issue 12 §4.3)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from cksloop.domain.errors import InvalidDetails
from cksloop.domain.lifecycle import Role
from cksloop.services import settings
from cksloop.web.database import db, now
from cksloop.web.guards import allow
from cksloop.web.i18n import translate_fields

bp = Blueprint("admin_settings", __name__, url_prefix="/admin")


class SettingsForm(FlaskForm):
    store_discount_limit_pct = IntegerField(
        _l("Largest store discount (percent off the garment's price)"),
        validators=[InputRequired(), NumberRange(min=0, max=90)])


@bp.route("/settings", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit() -> Any:
    session = db()
    form = SettingsForm()
    if not form.is_submitted():
        form.store_discount_limit_pct.data = settings.store_discount_limit(session)
    elif form.validate():
        try:
            settings.set_value(session, key=settings.STORE_DISCOUNT_LIMIT,
                               value=form.store_discount_limit_pct.data, actor=current_user.user, now=now())
        except InvalidDetails as error:
            form.store_discount_limit_pct.errors = list(translate_fields(error.field_errors).values())
            return render_template("admin/settings.html", form=form), 422
        flash(gettext("Settings saved."), "success")
        return redirect(url_for("admin_settings.edit"), 303)
    else:
        return render_template("admin/settings.html", form=form), 422
    return render_template("admin/settings.html", form=form)
