"""Small real files for upload tests: a PDF made by reportlab, a PNG by Pillow, and impostors."""
from __future__ import annotations

import io

from PIL import Image
from reportlab.pdfgen import canvas


def pdf_bytes(text: str = "Destination declaration") -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)  # the same bytes each time
    page.drawString(72, 720, text)
    page.save()
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(out, format="PNG")
    return out.getvalue()


#: an HTML page saved as "proof.pdf": the name says PDF, the content does not
RENAMED_HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script>%PDF-1.4</body></html>"
