"""Uploaded documents checked by their content (never the name), kept outside static/ under their SHA-256.

Contract PDFs, proof of a buyer lot and the evidence of a discard are records a regulator or an
auditor may ask for, so the bytes are kept as uploaded (a re-encoded photo would no longer be the
evidence); they are only ever served back as a download with the type their content proved.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from cksloop.domain.messages import N_

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
PDF_ONLY = frozenset({PDF})
DOCUMENT_OR_PHOTO = frozenset({PDF, JPEG, PNG})
_IMAGE_FORMATS = {"JPEG": JPEG, "PNG": PNG}
_NAME = re.compile(r"^[0-9a-f]{64}\.(pdf|jpg|png)$")
_PDF_HEADER = re.compile(rb"%PDF-[12]\.[0-9]")


class FileRefused(ValueError):
    """Why an upload is not accepted (an untranslated message for the field)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    content_type: str
    sha256: str

    @property
    def stored_name(self) -> str:
        return f"{self.sha256}.{EXTENSIONS[self.content_type]}"


def _is_pdf(raw: bytes) -> bool:
    """A PDF's structure, not its name: the header first, a cross-reference and the end marker last.

    A renamed HTML or text file fails the header; a truncated PDF fails the trailer.
    """
    if not _PDF_HEADER.match(raw):
        return False
    tail = raw[-2048:]
    return b"%%EOF" in tail and b"startxref" in tail and b" obj" in raw


def _image_type(raw: bytes) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                kind = _IMAGE_FORMATS.get(probe.format or "")
                width, height = probe.size
                if kind is None or width * height > MAX_PIXELS:
                    return None
                probe.verify()  # the whole file's structure, not just its first bytes
                return kind
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            ValueError, SyntaxError, EOFError, MemoryError):
        return None


def check(raw: bytes, *, accepted: frozenset[str], max_bytes: int = MAX_BYTES) -> CheckedFile:
    """The upload when its content is one of ``accepted``; FileRefused otherwise."""
    if not raw:
        raise FileRefused(N_("The file is empty."))
    if len(raw) > max_bytes:
        raise FileRefused(N_("The file is too large (at most 5 MB)."))
    kind = PDF if _is_pdf(raw) else _image_type(raw) if accepted - PDF_ONLY else None
    if kind is None or kind not in accepted:
        raise FileRefused(N_("This file is not a PDF.") if accepted == PDF_ONLY
                          else N_("This file is not a PDF document or a JPEG or PNG photo."))
    return CheckedFile(raw, kind, hashlib.sha256(raw).hexdigest())


def store(checked: CheckedFile, *, upload_dir: str, subdir: str) -> str:
    """Write the file under its content hash in ``upload_dir/subdir`` (the same bytes are kept once)."""
    folder = Path(upload_dir) / subdir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / checked.stored_name
    if path.is_file():
        return checked.stored_name
    temporary = folder / f".{checked.sha256}.{os.getpid()}.part"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
    with os.fdopen(fd, "wb") as fh:
        fh.write(checked.data)
    os.replace(temporary, path)  # whole or not at all, even when two uploads of the same file race
    return checked.stored_name


def path_of(sha256: str, content_type: str, *, upload_dir: str, subdir: str) -> str | None:
    """The stored file, or None when the name is not one of ours or the file is gone."""
    name = f"{sha256}.{EXTENSIONS.get(content_type, '')}"
    if not _NAME.match(name):
        return None
    path = Path(upload_dir) / subdir / name
    return str(path) if path.is_file() else None


def clean_name(name: str | None) -> str:
    """The uploaded file's name as shown back (never used as a path)."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    return "".join(ch for ch in base if ch.isprintable())[:200] or "upload"
