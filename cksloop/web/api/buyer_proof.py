"""API proof after shipping a buyer lot, and the signed contract documents (issue 14)."""
from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request

from cksloop.domain.buyer_contracts import ProofKind
from cksloop.domain.clock import local_date
from cksloop.domain.errors import NotFound
from cksloop.domain.messages import N_
from cksloop.services import buyer_proof
from cksloop.web.api import openapi, params
from cksloop.web.api.auth import api_user
from cksloop.web.api.blueprint import bp
from cksloop.web.api.buyers import BUYER_STAFF, BUYERS
from cksloop.web.database import db, now
from cksloop.web.downloads import download_name, stored_file_response, uploaded_file
from cksloop.web.guards import allow

_FILE = {"type": "string", "contentMediaType": "application/octet-stream"}
_LOT_404 = "No buyer lot with this number (error not_found)."
_FILE_422 = ("The kind is not owed by this lot, or the file is missing, empty, larger than 5 MB or not what "
             "its content must be (invalid_details; details.fields).")


def _multipart(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": required, "properties": properties}}}}


def _download(description: str, types: list[str]) -> dict[str, Any]:
    return {"description": description, "content": {t: {"schema": {"type": "string", "format": "binary"}}
                                                    for t in types}}


def _id(value: int, message: str) -> int:
    if not 0 < value <= params.MAX_ID:
        raise NotFound(message, id=value)
    return value


def _version(version: int) -> int:
    if not 0 < version <= params.MAX_ID:
        raise NotFound(N_("This buyer has no contract version %(version)s."), version=version)
    return version


def _upload_dir() -> str:
    return str(current_app.config["UPLOAD_DIR"])


@bp.post("/buyer-lots/<int:lot_id>/proof")
@allow(*BUYER_STAFF)
@openapi.operation(
    summary="Upload one proof document of a shipped lot",
    description="The kind must be one the lot's contract owes; the file must be a PDF, JPEG or PNG by its "
                "content (a renamed HTML file is refused). Kept outside static/ under its SHA-256.",
    tags=[BUYERS], operation_id="buyer_lots_api_proof_upload",
    request=_multipart({"kind": {"type": "string", "enum": [k.value for k in ProofKind]}, "file": _FILE},
                       ["kind", "file"]),
    responses={201: ("The lot with its proof", openapi.ref("BuyerLot")), 404: _LOT_404,
               409: "The lot is not shipped (not_allowed_now), or someone changed it meanwhile (version_conflict).",
               413: "The body is too large.", 422: _FILE_422})
def upload_proof(lot_id: int) -> Any:
    lot_id = _id(lot_id, N_("No buyer lot with number %(id)s."))
    name, raw = uploaded_file()
    buyer_proof.upload_proof(db(), lot_id=lot_id, kind=request.form.get("kind"), filename=name, raw=raw,
                             upload_dir=_upload_dir(), actor=api_user(), now=now())
    return jsonify(buyer_proof.lot_answer(db(), lot_id, today=local_date(now()))), 201


@bp.post("/buyer-lots/<int:lot_id>/accept-proof")
@allow(*BUYER_STAFF)
@openapi.operation(
    summary="Accept the lot's uploaded proof; the lot becomes proven when all owed proof is in",
    tags=[BUYERS], operation_id="buyer_lots_api_accept_proof",
    responses={200: ("The proven lot", openapi.ref("BuyerLot")), 404: _LOT_404,
               409: "Owed proof is missing (proof_missing; details.missing names it), the lot is not shipped "
                    "(not_allowed_now), or someone changed it meanwhile (version_conflict)."})
def accept_proof(lot_id: int) -> Any:
    lot_id = _id(lot_id, N_("No buyer lot with number %(id)s."))
    buyer_proof.accept_proof(db(), lot_id=lot_id, actor=api_user(), now=now())
    return jsonify(buyer_proof.lot_answer(db(), lot_id, today=local_date(now())))


@bp.get("/buyer-lots/<int:lot_id>/proof/<int:proof_id>")
@allow(*BUYER_STAFF)
@openapi.operation(summary="Download one proof document of a lot", tags=[BUYERS],
                   operation_id="buyer_lots_api_proof_download",
                   responses={200: _download("The document as uploaded", ["application/pdf", "image/jpeg",
                                                                          "image/png"]),
                              404: "No such lot or proof document (error not_found)."})
def download_proof(lot_id: int, proof_id: int) -> Any:
    proof, path = buyer_proof.proof_file(db(), lot_id=_id(lot_id, N_("No buyer lot with number %(id)s.")),
                                         proof_id=_id(proof_id, N_("No proof document with number %(id)s for this lot.")),
                                         upload_dir=_upload_dir())
    return stored_file_response(path, content_type=proof.content_type,
                                download_name=download_name(f"lot-{lot_id}-{proof.kind}-{proof.id}",
                                                            proof.content_type))


@bp.post("/buyers/<int:buyer_id>/contracts/<int:version>/document")
@allow(*BUYER_STAFF)
@openapi.operation(
    summary="Upload the signed PDF of a contract version",
    tags=[BUYERS], operation_id="buyers_api_contract_document_upload",
    request=_multipart({"file": _FILE}, ["file"]),
    responses={201: ("The stored document", {"type": "object", "required": ["id", "version", "sha256"],
                                             "properties": {"id": {"type": "integer"}, "version": {"type": "integer"},
                                                            "contract_id": {"type": "integer"},
                                                            "sha256": {"type": "string"},
                                                            "size_bytes": {"type": "integer"},
                                                            "original_name": {"type": "string"},
                                                            "uploaded_at": {"type": "string"}}}),
               404: "No such buyer or contract version (error not_found).", 413: "The body is too large.",
               422: "The file is missing, empty, larger than 5 MB or not a PDF by its content (invalid_details)."})
def upload_contract_document(buyer_id: int, version: int) -> Any:
    buyer_id = _id(buyer_id, N_("No buyer with number %(id)s."))
    version = _version(version)
    name, raw = uploaded_file()
    answer = buyer_proof.upload_contract_document(db(), buyer_id=buyer_id, version=version, filename=name, raw=raw,
                                                  upload_dir=_upload_dir(), actor=api_user(), now=now())
    return jsonify(answer), 201


@bp.get("/buyers/<int:buyer_id>/contracts/<int:version>/document")
@allow(*BUYER_STAFF)
@openapi.operation(summary="Download the signed PDF of a contract version", tags=[BUYERS],
                   operation_id="buyers_api_contract_document_download",
                   responses={200: _download("The signed contract", ["application/pdf"]),
                              404: "No such buyer, contract version or document (error not_found)."})
def download_contract_document(buyer_id: int, version: int) -> Any:
    row, path = buyer_proof.contract_document(db(), buyer_id=_id(buyer_id, N_("No buyer with number %(id)s.")),
                                              version=_version(version), upload_dir=_upload_dir())
    return stored_file_response(path, content_type=row.content_type,
                                download_name=f"contract-{buyer_id}-v{version}.pdf")
