"""Stored documents sent back as downloads: the type their content proved, never sniffed, never cached."""
from __future__ import annotations

from typing import Any

from flask import request, send_file

from cksloop.domain.errors import InvalidDetails
from cksloop.domain.messages import N_
from cksloop.services import stored_files


def stored_file_response(path: str, *, content_type: str, download_name: str) -> Any:
    """An attachment (a PDF or a photo kept as evidence), sandboxed so it can never run as a page."""
    response = send_file(path, mimetype=content_type, as_attachment=True, download_name=download_name,
                         max_age=0, conditional=True)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "no-store"
    response.headers.pop("Expires", None)
    return response


def download_name(stem: str, content_type: str) -> str:
    return f"{stem}.{stored_files.EXTENSIONS.get(content_type, 'bin')}"


def uploaded_file(field: str = "file") -> tuple[str | None, bytes]:
    """The uploaded file's name and bytes; InvalidDetails when the form carries none."""
    upload = request.files.get(field) if request.mimetype == "multipart/form-data" else None
    if upload is None:
        raise InvalidDetails({field: N_("Choose a file to upload.")})
    return upload.filename, upload.read(stored_files.MAX_BYTES + 1)
