"""Small, real files for the demo's evidence: photos with EXIF and a PDF, made on the spot."""

from __future__ import annotations

import io
from datetime import datetime

from PIL import Image, ImageDraw


def photo(*, seed: int, taken_at: datetime, gps: tuple[float, float] | None = None) -> bytes:
    """A 640×480 JPEG that looks like a scene (sky, a house, a door), with EXIF time and place."""
    image = Image.new("RGB", (640, 480), (120 + seed * 17 % 100, 170, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 640, 480), fill=(90 + seed * 13 % 60, 140, 70))
    draw.rectangle((180 + seed * 9 % 80, 170, 460, 360), fill=(200, 190 - seed * 7 % 60, 160))
    draw.polygon([(160 + seed * 9 % 80, 175), (320, 90), (480, 175)], fill=(150, 60 + seed * 11 % 80, 50))
    draw.rectangle((300, 260, 350, 360), fill=(90, 60, 40))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Huawei", "Mate 60"  # Make, Model
    exif[0x0132] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = taken_at.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    if gps:
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1], gps_ifd[3] = "N", "E"
        gps_ifd[2] = _dms(gps[0])
        gps_ifd[4] = _dms(gps[1])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return (float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 2))


def signed_form(*, title: str, lines: list[str]) -> bytes:
    """A one-page PDF that stands in for a scanned acknowledgement form."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=1)
    page.setFont("Helvetica", 14)
    page.drawString(72, 770, title)
    for number, line in enumerate(lines):
        page.drawString(72, 740 - 20 * number, line)
    page.showPage()
    page.save()
    return out.getvalue()
