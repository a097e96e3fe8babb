"""API scans: resolve a scanned payload, check an action for one garment, apply it to a batch."""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, jsonify

from cksloop.db import queries
from cksloop.db.models import User
from cksloop.domain.errors import DomainError, InvalidDetails, NotFound
from cksloop.domain.lifecycle import Action
from cksloop.domain.messages import N_
from cksloop.domain.offcut_labels import lot_path
from cksloop.domain.scanning import MAX_PAYLOAD, LabelKind, NotALabel, ScannedLabel, parse_scan
from cksloop.services import offcut_lots
from cksloop.services import batches
from cksloop.services.batches import BatchLine
from cksloop.web.api import openapi, params, serializers
from cksloop.web.api.auth import api_user
from cksloop.web.api.blueprint import bp
from cksloop.web.database import db, now
from cksloop.web.guards import allow
from cksloop.web.i18n import action_label, state_label, translate_error, translate_fields
from cksloop.web.scan.routes import find_scanned, garment_url, mangled_note, not_a_label_message

SCANS = openapi.tag("scans", "Scanning labels: resolve a scan, check and apply batch actions")


def _payload(body: dict[str, Any]) -> str:
    value = body.get("payload")
    if not isinstance(value, str):
        raise InvalidDetails({"payload": N_("Send the scanned text as a string.")})
    return value


def _not_a_label(outcome: NotALabel) -> Any:
    read_as = outcome.read_as if len(outcome.read_as) <= 200 else outcome.read_as[:200] + "…"
    return jsonify(error="not_a_label", message=not_a_label_message(outcome),
                   details={"reason": outcome.reason.value, "mangled": outcome.mangled,
                            "read_as": read_as}), 422


def _garment_dict(garment: queries.ScannedGarment, user: User) -> dict[str, Any]:
    from cksloop.domain import lifecycle

    allowed = lifecycle.allowed_actions(garment.state, user.role)
    return {
        "code": garment.code,
        "state": garment.state.value if garment.state else None,
        "state_label": state_label(garment.state),
        "style": {"style_number": garment.style_number, "name": garment.style_name,
                  "colour": garment.colour},
        "size": garment.size,
        "allowed_actions": [a.value for a in allowed],
    }


def _line_message(error: DomainError | None) -> str | None:
    if error is None:
        return None
    fields = getattr(error, "field_errors", None)
    if fields:
        return " ".join(translate_fields(fields).values())
    return translate_error(error)


def _line_dict(line: BatchLine, *, mangled: bool | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": line.code,
        "outcome": line.outcome.value,
        "ok": line.ok,
        "state": line.state,
        "state_label": state_label(line.state) if line.state else None,
        "style_number": line.style_number,
        "style_name": line.style_name,
        "size": line.size,
        "allowed_actions": line.allowed_actions,
        "allowed_action_labels": [action_label(a) for a in line.allowed_actions],
        "version": line.version,
        "error": line.error.code if line.error is not None else None,
        "message": _line_message(line.error),
    }
    fields = getattr(line.error, "field_errors", None)
    if fields:
        out["fields"] = translate_fields(fields)
    if mangled is not None:
        out["mangled"] = mangled
    return out


def _action(body: dict[str, Any]) -> Action:
    value = body.get("action")
    try:
        return Action(value) if isinstance(value, str) else Action("")
    except ValueError:
        raise InvalidDetails({"action": N_("Not a known action.")}) from None


def _details(body: dict[str, Any], *skip: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("action", *skip)}


_GARMENT_BRIEF = openapi.schema("ScannedGarment", {
    "type": "object",
    "required": ["code", "state", "style", "size", "allowed_actions"],
    "properties": {
        "code": {"type": "string"},
        "state": {"type": ["string", "null"]},
        "state_label": {"type": "string"},
        "style": {"type": "object", "properties": {"style_number": {"type": "string"},
                                                   "name": {"type": "string"},
                                                   "colour": {"type": "string"}}},
        "size": {"type": "string"},
        "allowed_actions": {"type": "array", "items": {"type": "string"},
                            "description": "What the caller's role may do with it now."},
    },
})
SCAN_REQUEST = openapi.schema("ScanRequest", {
    "type": "object", "required": ["payload"],
    "properties": {"payload": {"type": "string", "minLength": 1, "maxLength": MAX_PAYLOAD,
                               "description": "Exactly what the camera decoded or the scanner typed."}},
})
SCAN_RESULT = openapi.schema("ScanResult", {
    "type": "object", "required": ["kind", "code", "url", "mangled"],
    "description": "A garment (kind garment, with `garment`) or an offcut lot (kind offcut_lot, with `lot`).",
    "properties": {
        "kind": {"type": "string", "enum": [k.value for k in LabelKind]},
        "code": {"type": "string", "example": "CKS-00123"},
        "url": {"type": "string", "description": "The garment's page for signed-in staff, or the lot's label path."},
        "form": {"type": "string", "enum": ["code", "short_url", "digital_link", "gs1_element_string"]},
        "read_as": {"type": "string", "description": "The payload after undoing a keyboard-layout mix-up."},
        "mangled": {"type": "boolean", "description": "True when a US-layout scanner typed on a "
                    "Belgian AZERTY keyboard and the text was read back key by key."},
        "message": {"type": ["string", "null"]},
        "garment": _GARMENT_BRIEF,
        "lot": {"type": "object", "required": ["code", "location", "material", "remaining_g", "version"],
                "properties": {"code": {"type": "string"}, "location": {"type": ["string", "null"]},
                               "material": {"type": "string"}, "colour": {"type": "string"},
                               "remaining_g": {"type": "integer"}, "version": {"type": "integer"}}},
    },
})
CHECK_REQUEST = openapi.schema("ScanCheckRequest", {
    "type": "object", "required": ["action"],
    "description": "`code` or `payload` (raw scanned text), plus the action's details as in "
                   "ActionRequest (e.g. to_location).",
    "properties": {"action": {"type": "string", "enum": [a.value for a in batches.BATCH_ACTIONS]},
                   "code": {"type": "string", "minLength": 1},
                   "payload": {"type": "string", "minLength": 1, "maxLength": MAX_PAYLOAD}},
    "anyOf": [{"required": ["code"]}, {"required": ["payload"]}],
    "additionalProperties": True,
})
BATCH_LINE = openapi.schema("BatchLine", {
    "type": "object", "required": ["code", "outcome", "ok"],
    "properties": {
        "code": {"type": "string"},
        "outcome": {"type": "string", "enum": [o.value for o in batches.Outcome]},
        "ok": {"type": "boolean"},
        "state": {"type": ["string", "null"], "description": "After (applied) or now (refused)."},
        "state_label": {"type": ["string", "null"]},
        "style_number": {"type": ["string", "null"]}, "style_name": {"type": ["string", "null"]},
        "size": {"type": ["string", "null"]},
        "allowed_actions": {"type": "array", "items": {"type": "string"}},
        "allowed_action_labels": {"type": "array", "items": {"type": "string"}},
        "version": {"type": ["integer", "null"], "description": "The garment's version after (applied) or now; "
                    "send it back as `expected_versions` when acting later (offline)."},
        "error": {"type": ["string", "null"], "description": "not_allowed_now, forbidden, "
                  "invalid_details, not_found, duplicate, version_conflict (changed since it was scanned)"},
        "message": {"type": ["string", "null"], "description": "Why not, in the caller's language."},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        "mangled": {"type": "boolean"},
    },
})
BATCH_REQUEST = openapi.schema("BatchRequest", {
    "type": "object", "required": ["action", "codes"],
    "description": "Plus the action's details as in ActionRequest, the same for every garment.",
    "properties": {
        "action": {"type": "string", "enum": [a.value for a in Action]},
        "codes": {"type": "array", "minItems": 1, "maxItems": batches.MAX_SCANS, "items": {"type": "string"},
                  "description": f"Garment codes (or label URLs) in scan order; doubles are reported. At "
                                 f"most {batches.MAX_BATCH} different codes, {batches.MAX_SCANS} with the doubles."},
        "expected_versions": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0},
                              "maxProperties": batches.MAX_BATCH,
                              "description": "Code → version as last seen (an offline queue): a garment "
                                             "changed since is refused (version_conflict) with its state now."},
        "queued_at": {"type": "string", "format": "date-time", "maxLength": 40,
                      "description": "When the device queued the batch (its own clock), recorded on each event."},
    },
    "additionalProperties": True,
})
BATCH_RESULT = openapi.schema("BatchResult", {
    "type": "object", "required": ["action", "results", "counts"],
    "properties": {
        "action": {"type": "string"},
        "replayed": {"type": "boolean", "description": "The stored answer to a repeated Idempotency-Key."},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        "results": {"type": "array", "items": BATCH_LINE},
    },
})


@bp.post("/scans")
@allow()
@openapi.operation(
    summary="Resolve a scanned payload to a garment or an offcut lot",
    operation_id="scan_resolve_scan",
    description="Accepts our label URLs (/g/{code}), GS1 Digital Link URLs on our host, bare "
                "garment codes, and text a US-layout scanner typed on a Belgian AZERTY keyboard "
                "(then `mangled` is true), and offcut lot codes and label URLs (/r/{code}, kind "
                "offcut_lot). Writes nothing.",
    tags=[SCANS],
    request=SCAN_REQUEST,
    links={200: openapi.code_links("$response.body#/code", {
        "ScannedGarment": ("api_garment", "The garment the label names"),
        "ActOnScannedGarment": ("api_act_on_garment", "Take an action on it")})},
    responses={200: ("The garment or lot the label names", SCAN_RESULT),
               404: "A well-formed garment or lot code that nothing has (error not_found; details.code).",
               422: "Not a CKS label (error not_a_label; details.reason says why: empty, too_long, "
                    "binary, wifi, other_qr, foreign_url, unknown_path, product_only, bad_gtin, "
                    "not_a_label), or no payload string (invalid_details)."},
)
def resolve_scan() -> Any:
    body = serializers.json_object()
    outcome = parse_scan(_payload(body), base_url=current_app.config["BASE_URL"], lots=True)
    if isinstance(outcome, NotALabel):
        return _not_a_label(outcome)
    if outcome.kind is LabelKind.OFFCUT_LOT:
        return _scanned_lot(outcome)
    garment = find_scanned(outcome.code)
    if garment is None:
        error = NotFound(N_("No garment with code %(code)s."), code=outcome.code)
        return jsonify(error=error.code, message=translate_error(error),
                       details={"code": outcome.code, "mangled": outcome.mangled}), 404
    return jsonify(kind=outcome.kind.value, code=garment.code, url=garment_url(garment.code), form=outcome.form.value,
                   read_as=outcome.read_as, mangled=outcome.mangled,
                   message=mangled_note() if outcome.mangled else None,
                   garment=_garment_dict(garment, api_user()))


def _scanned_lot(outcome: ScannedLabel) -> Any:
    found = offcut_lots.list_lots(db(), code=outcome.code, per_page=1)[0]
    if not found:
        error = NotFound(N_("No offcut lot with code %(code)s."), code=outcome.code)
        return jsonify(error=error.code, message=translate_error(error),
                       details={"code": outcome.code, "mangled": outcome.mangled}), 404
    lot = found[0]
    return jsonify(kind=outcome.kind.value, code=lot["code"], url=lot_path(lot["code"]), form=outcome.form.value,
                   read_as=outcome.read_as, mangled=outcome.mangled,
                   message=mangled_note() if outcome.mangled else None,
                   lot={k: lot[k] for k in ("code", "location", "material", "colour", "remaining_g", "version")})


@bp.post("/scans/check")
@allow()
@openapi.operation(
    summary="Can this garment take this action now? (live feedback while batch scanning)",
    operation_id="scan_check_scan",
    description="Give `code` or the raw `payload`, the action and its details. Writes nothing. "
                "A garment that cannot take the action is still a 200 answer, with ok false, the "
                "reason and the actions it could take instead.",
    tags=[SCANS],
    request=CHECK_REQUEST,
    responses={200: ("The verdict for this garment", BATCH_LINE),
               403: "The caller's role may never take this action (forbidden).",
               422: "Not a CKS label (not_a_label), an unknown action, or details wrong for any "
                    "garment (invalid_details, details.fields)."},
)
def check_scan() -> Any:
    body = serializers.json_object()
    action = _action(body)
    mangled = False
    if "payload" in body:
        outcome = parse_scan(_payload(body), base_url=current_app.config["BASE_URL"])
        if isinstance(outcome, NotALabel):
            return _not_a_label(outcome)
        code, mangled = outcome.code, outcome.mangled
    else:
        code = body.get("code")
        if not isinstance(code, str) or not code.strip():
            raise InvalidDetails({"code": N_("Send the garment code (or the scanned payload).")})
    line = batches.check_action(db(), action=action, code=code,
                                details=_details(body, "code", "payload"), actor=api_user(), now=now())
    return jsonify(_line_dict(line, mangled=mangled))


@bp.post("/actions/batch")
@allow()
@openapi.operation(
    summary="Apply one action to many garments in one go",
    operation_id="scan_apply_batch",
    description="One transaction: every garment that can take the action does, each through the "
                "ledger; the others are reported (refused with the reason and the actions possible "
                "instead, duplicate, unknown). With `Idempotency-Key` a retried request answers the "
                "first result again and writes nothing.",
    tags=[SCANS],
    parameters=[openapi.header("Idempotency-Key", {"type": "string", "minLength": 1,
                                                   "maxLength": params.MAX_IDEMPOTENCY_KEY},
                               "Visible ASCII; one per batch, reused on retries")],
    request=BATCH_REQUEST,
    responses={200: ("One result per scanned code, in scan order", BATCH_RESULT),
               403: "The caller's role may never take this action (forbidden).",
               409: "A garment changed while the batch ran (version_conflict); nothing was written.",
               422: "Unknown action, no codes, more than 500 different codes (2000 with the doubles), "
                    "details wrong for any garment "
                    "(invalid_details), or an Idempotency-Key reused for another batch."},
)
def apply_batch() -> Any:
    body = serializers.json_object()
    action = _action(body)
    raw_codes = body.get("codes")
    if not isinstance(raw_codes, list) or not all(isinstance(c, str) for c in raw_codes):
        raise InvalidDetails({"codes": N_("Send the scanned codes as a list of text.")})
    errors: dict[str, str] = {}
    key = params.idempotency_key(errors)
    if errors:
        raise InvalidDetails(errors)
    versions = _expected_versions(body["expected_versions"]) if "expected_versions" in body else None
    queued_at = _queued_at(body["queued_at"]) if "queued_at" in body else None
    base_url = current_app.config["BASE_URL"]
    codes = [_code_of(c, base_url) for c in raw_codes]
    result = batches.apply_batch(db(), action=action, codes=codes,
                                 details=_details(body, "codes", "expected_versions", "queued_at"),
                                 actor=api_user(), now=now(), idempotency_key=key,
                                 expected_versions=versions, queued_at=queued_at)
    counts = {o.value: result.count(o) for o in batches.Outcome if o is not batches.Outcome.ALLOWED}
    return jsonify(action=result.action.value, replayed=result.replayed, counts=counts,
                   results=[_line_dict(line) for line in result.lines])


def _expected_versions(raw: Any) -> dict[str, int]:
    """``{code: version}`` as a phone last saw each garment (sent: an object, never null)."""
    if (not isinstance(raw, dict) or len(raw) > batches.MAX_BATCH
            or not all(isinstance(k, str) and len(k) <= 40 for k in raw)
            or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**31 for v in raw.values())):
        raise InvalidDetails({"expected_versions": N_("Send the versions as an object of code → whole number.")})
    return raw


def _queued_at(raw: Any) -> str:
    """The device's time of an offline scan (ISO 8601), kept beside the server's time (sent: never null)."""
    try:
        if not isinstance(raw, str) or len(raw) > 40:
            raise ValueError
        when = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidDetails({"queued_at": N_("Send the time as ISO 8601, e.g. 2026-12-04T10:15:00+01:00.")}) from None
    if when.tzinfo is None:
        raise InvalidDetails({"queued_at": N_("Send the time with its offset, e.g. 2026-12-04T10:15:00+01:00.")})
    return when.isoformat()


def _code_of(text: str, base_url: str) -> str:
    """A label URL or mangled code in the list becomes its garment code; anything else stays as is."""
    if len(text) > MAX_PAYLOAD:
        return text[:40]
    outcome = parse_scan(text, base_url=base_url)
    return outcome.code if isinstance(outcome, ScannedLabel) else text
