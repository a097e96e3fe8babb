"""A defect photo keeps only its pixels: no EXIF, XMP, ICC profile or JPEG comment survives the re-encoding."""
from __future__ import annotations

import io

from PIL import Image

from cksloop.services import defect_photos

#: JPEG markers that carry something besides the picture: APP0..APP15 and COM
_METADATA_MARKERS = {*range(0xE0, 0xF0), 0xFE}


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """The (marker, payload) segments of a JPEG up to the start of the scan."""
    assert data[:2] == b"\xff\xd8"
    segments, at = [], 2
    while at < len(data):
        assert data[at] == 0xFF
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: compressed pixels follow
            break
        length = int.from_bytes(data[at + 2:at + 4], "big")
        segments.append((marker, data[at + 4:at + 2 + length]))
        at += 2 + length
    return segments


def _phone_photo() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "PhoneSoftware"  # Software
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(
        out, format="JPEG", exif=exif, comment=b"<script>alert(1)</script> secret comment",
        icc_profile=b"ICCPROFILE" * 20)
    return out.getvalue()


def test_the_upload_really_carries_a_comment_exif_and_an_icc_profile():
    markers = {marker for marker, _ in jpeg_segments(_phone_photo())}
    assert {0xFE, 0xE1, 0xE2} <= markers


def test_a_jpeg_comment_exif_and_icc_profile_do_not_survive_the_re_encoding():
    cleaned = defect_photos.check(_phone_photo()).data
    segments = jpeg_segments(cleaned)
    # a JFIF header (APP0) is all Pillow writes of its own; it says nothing about the photo
    extra = [(hex(m), p[:20]) for m, p in segments if m in _METADATA_MARKERS and m != 0xE0]
    assert extra == []
    assert b"secret comment" not in cleaned and b"PhoneMaker" not in cleaned and b"ICCPROFILE" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.size == (64, 48) and "comment" not in image.info and "exif" not in image.info


def test_a_png_text_chunk_does_not_reach_the_stored_jpeg():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "where I live")
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 0, 0)).save(out, format="PNG", pnginfo=info)
    cleaned = defect_photos.check(out.getvalue()).data
    assert b"where I live" not in cleaned
    assert all(m == 0xE0 or m not in _METADATA_MARKERS for m, _ in jpeg_segments(cleaned))
