"""Defect photos: checked by their content (Pillow, never the file name), re-encoded, kept outside static/.

Re-encoding the pixels alone into a new JPEG drops whatever rode along in the upload (EXIF with
the phone's GPS position, XMP, an ICC profile, a JPEG comment, a polyglot file's script), so what
is served back is only ever a picture.
"""
from __future__ import annotations

import io
import os
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from cksloop.domain.messages import N_

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo; beyond that it is a decompression bomb
MAX_SIDE = 2000  # what an inspection needs to show a snag; keeps storage small
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
CONTENT_TYPE = "image/jpeg"
SUBDIR = "defect-photos"
_NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")


class PhotoRefused(ValueError):
    """Why an upload is not accepted as a photo (an untranslated message)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class CheckedPhoto:
    data: bytes
    content_type: str
    width: int
    height: int


def check(raw: bytes, *, max_bytes: int = MAX_BYTES) -> CheckedPhoto:
    """The upload as a clean JPEG, or PhotoRefused (empty, too large, not an image, too many pixels)."""
    if not raw:
        raise PhotoRefused(N_("The photo is empty."))
    if len(raw) > max_bytes:
        raise PhotoRefused(N_("The photo is too large."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as probe:
                kind = probe.format
                width, height = probe.size
                if kind not in ACCEPTED_FORMATS:
                    raise PhotoRefused(N_("This file is not a photo (JPEG, PNG or WebP)."))
                if width * height > MAX_PIXELS or width < 1 or height < 1:
                    raise PhotoRefused(N_("The photo has too many pixels."))
                probe.verify()  # structural check of the whole file, not just its header
            with Image.open(io.BytesIO(raw)) as image:
                image.seek(0)
                image = ImageOps.exif_transpose(image)
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                rgb = image.convert("RGB")
                # only the pixels go into the new file: Pillow writes a source's comment (and
                # other entries of ``info``) back into the JPEG it saves
                clean = Image.new("RGB", rgb.size)
                clean.paste(rgb)
                out = io.BytesIO()
                clean.save(out, format="JPEG", quality=85, optimize=True)
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused(N_("This file is not a photo (JPEG, PNG or WebP).")) from None
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError):
        raise PhotoRefused(N_("The photo could not be read; it may be damaged.")) from None
    return CheckedPhoto(out.getvalue(), CONTENT_TYPE, rgb.width, rgb.height)


def store(photo: CheckedPhoto, *, upload_dir: str) -> str:
    """Write the photo under a random name in ``upload_dir``; returns the name."""
    folder = Path(upload_dir) / SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.jpg"
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as fh:
        fh.write(photo.data)
    return name


def path_of(name: str, *, upload_dir: str) -> str | None:
    """The file of a stored photo, or None when the name is not one of ours or the file is gone."""
    if not _NAME.match(name or ""):
        return None
    path = Path(upload_dir) / SUBDIR / name
    return str(path) if path.is_file() else None


def remove(name: str, *, upload_dir: str) -> None:
    """Delete a photo written for a transaction that did not commit."""
    if _NAME.match(name or "") and upload_dir:
        try:
            (Path(upload_dir) / SUBDIR / name).unlink()
        except FileNotFoundError:
            pass
