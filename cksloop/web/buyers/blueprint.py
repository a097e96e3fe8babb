"""The ``buyers`` blueprint (issue 14's screens) and what its page modules share: who may open them, words."""
from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_babel import format_date, format_decimal, get_locale, gettext

from cksloop.domain.buyer_contracts import ContractRule, ContractViolation, InvalidContract
from cksloop.domain.buyer_lots import LotStatus
from cksloop.domain.errors import DomainError, InvalidDetails
from cksloop.domain.lifecycle import Role
from cksloop.web.i18n import translate_error

bp = Blueprint("buyers", __name__)

#: Merchandisers and admins deal with bulk buyers (issue 14); nobody else sees contracts or lots.
BUYER_STAFF = (Role.MERCHANDISER, Role.ADMIN)


def country_name(code: str | None) -> str:
    """A country in the reader's language (Babel's territory names), with its ISO code."""
    if not code:
        return "—"
    name = get_locale().territories.get(code)
    return f"{name} ({code})" if name else code


def say(message: str) -> str:
    """An untranslated template (a rule's or a status's label) in the reader's language."""
    return gettext(message)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"format_date": format_date, "format_decimal": format_decimal, "country_name": country_name, "say": say,
            "lot_statuses": {s.value: s for s in LotStatus}}


def add_error(field: Any, message: str) -> None:
    field.errors = [*field.errors, message]


def put_errors(form: Any, error: InvalidDetails, *, aliases: dict[str, str] | None = None) -> list[str]:
    """Each field error on its field; the ones no field shows come back to be said at the top."""
    left = []
    for name, message in error.field_errors.items():
        field = getattr(form, (aliases or {}).get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            add_error(field, gettext(message))
        else:
            left.append(gettext(message))
    return left


def refusal(error: DomainError) -> dict[str, Any]:
    """What a refused step shows: the message, and for a contract the rule and version it broke."""
    out: dict[str, Any] = {"message": translate_error(error), "rule": None, "version": None, "rules": []}
    if isinstance(error, ContractViolation):
        out["rule"] = gettext(error.rule.label)
        out["version"] = error.details.get("contract_version")
    elif isinstance(error, InvalidContract):
        out["rules"] = [gettext(rule.label) for rule in dict.fromkeys(error.rules.values())]
        out["countries"] = error.details.get("countries") or []
    return out


def rule_label(value: str) -> str:
    return gettext(ContractRule(value).label)
