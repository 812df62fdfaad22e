"""What an uploaded file is, from its bytes: the types kept and refused, what a photo tells of
itself (when, where, which phone), its thumbnail, and when two photos are the same picture."""

from __future__ import annotations

import hashlib
import io
import random
import shutil
import struct
import time
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import numpy as np
import openpyxl
import pillow_heif
import pytest
from PIL import Image, ImageDraw, ImageFilter, TiffImagePlugin

from casework.evidence.inspect import (
    ALLOWED_TYPES, MAX_IMAGE_PIXELS, NEAR_DUPLICATE, EmptyFile, ImageTooLarge, UnreadableImage,
    UnsupportedType, inspect_file, make_thumbnail, phash_distance, sniff,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def scene(seed: int, size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    """A photo-like picture: a tilted gradient, blurred shapes and sensor noise, different per seed."""
    rng = random.Random(seed)
    width, height = size
    y = np.linspace(0, 1, height)[:, None]
    x = np.linspace(0, 1, width)[None, :]
    top, bottom = (np.array([rng.randint(0, 255) for _ in range(3)]) for _ in range(2))
    t = ((y * rng.uniform(0.3, 1.5) + x * rng.uniform(-0.8, 0.8)) % 1)[..., None]
    image = Image.fromarray((top * (1 - t) + bottom * t).astype("uint8"), "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(6, 14)):
        x0, y0 = rng.randint(0, width), rng.randint(0, height)
        box = (x0, y0, x0 + rng.randint(width // 20, width // 2), y0 + rng.randint(height // 20, height // 2))
        fill = tuple(rng.randint(0, 255) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=fill)
    image = image.filter(ImageFilter.GaussianBlur(2))
    noise = np.random.default_rng(seed).normal(0, 8, (height, width, 3))
    return Image.fromarray(np.clip(np.asarray(image) + noise, 0, 255).astype("uint8"))


def saved(image: Image.Image, path: Path, fmt: str, **options) -> Path:
    if fmt == "HEIF":
        pillow_heif.register_heif_opener()
    image.save(path, fmt, **options)
    return path


def photo_exif(*, taken: str | None = "2026:11:29 14:05:00", offset: str | None = None,
               gps: dict | None = None, make: str = "Xiaomi", model: str = "Redmi Note 8",
               orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = make, model
    if orientation is not None:
        exif[0x0112] = orientation
    details = {}
    if taken is not None:
        details[0x9003] = taken
    if offset is not None:
        details[0x9011] = offset
    exif[0x8769] = details
    if gps is not None:
        exif[0x8825] = gps
    return exif


# 31°14'2.5"N 121°28'30"E, as a phone writes it: degrees, minutes, seconds and the hemisphere.
PUDONG = {1: "N", 2: (31.0, 14.0, 2.5), 3: "E", 4: (121.0, 28.0, 30.0)}


@pytest.mark.parametrize(("fmt", "content_type"), [
    ("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"), ("HEIF", "image/heic"),
])
def test_photos_are_known_by_their_bytes_not_their_name(tmp_path, fmt, content_type):
    path = saved(scene(1, (320, 240)), tmp_path / "现场照片.txt", fmt)
    found = inspect_file(path)
    assert (found.content_type, found.is_image, found.width, found.height) == (content_type, True, 320, 240)
    assert found.size == path.stat().st_size
    assert found.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert ALLOWED_TYPES[content_type].is_image
    assert len(found.phash) == 16


def _docx(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("整改情况说明：已清理垃圾堆放点。")
    document.save(path)


def _xlsx(path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["户主", "整改措施"])
    book.active.append(["张三", "危房改造"])
    book.save(path)


@pytest.mark.parametrize(("make", "content_type", "extension"), [
    (lambda path: path.write_bytes(PDF), "application/pdf", "pdf"),
    (_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    (_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    (lambda path: path.write_text("会议记录\n参会人员：村两委全体\n", encoding="utf-8"), "text/plain", "txt"),
])
def test_documents_are_kept_with_their_type(tmp_path, make, content_type, extension):
    path = tmp_path / "upload.jpg"
    make(path)
    found = inspect_file(path)
    assert (found.content_type, found.is_image, found.phash, found.width) == (content_type, False, None, None)
    assert ALLOWED_TYPES[content_type].extension == extension


HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def _zip(path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("照片.jpg", b"not really")


@pytest.mark.parametrize(("make", "detected"), [
    (lambda path: path.write_bytes(HTML), "text/html"),
    (lambda path: path.write_bytes(SVG), "image/svg+xml"),
    (lambda path: path.write_bytes(b"#!/bin/sh\necho done\n"), "text/x-shellscript"),
    (_zip, "application/zip"),
])
def test_pages_scripts_and_archives_are_refused_whatever_their_name(tmp_path, make, detected):
    path = tmp_path / "整改后.jpg"
    make(path)
    with pytest.raises(UnsupportedType) as refused:
        inspect_file(path)
    assert refused.value.detected == detected


def test_a_program_renamed_as_a_photo_is_refused(tmp_path):
    path = tmp_path / "IMG_0001.jpg"
    shutil.copy("/bin/true", path)
    with pytest.raises(UnsupportedType) as refused:
        inspect_file(path)
    assert refused.value.detected in {"application/x-sharedlib", "application/x-pie-executable",
                                      "application/x-executable"}


def test_an_empty_file_is_its_own_error(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(EmptyFile):
        inspect_file(path)
    with pytest.raises(EmptyFile):
        sniff(b"")


def test_the_first_bytes_of_an_upload_are_enough_to_refuse_it():
    assert sniff(PDF[:64]) == "application/pdf"
    with pytest.raises(UnsupportedType):
        sniff(b"\x7fELF\x02\x01\x01" + b"\x00" * 57)


def test_a_photo_says_when_where_and_with_what_phone_it_was_taken(tmp_path):
    path = saved(scene(2, (400, 300)), tmp_path / "p.jpg", "JPEG", exif=photo_exif(gps=PUDONG))
    found = inspect_file(path)
    assert found.taken_at == datetime(2026, 11, 29, 14, 5, tzinfo=SHANGHAI)
    lat, lon = found.gps
    assert lat == pytest.approx(31 + 14 / 60 + 2.5 / 3600, abs=1e-6)
    assert lon == pytest.approx(121 + 28 / 60 + 30 / 3600, abs=1e-6)
    assert found.camera == "Xiaomi Redmi Note 8"


def test_a_heic_photo_tells_the_same(tmp_path):
    path = saved(scene(2, (400, 300)), tmp_path / "IMG_0001.HEIC", "HEIF", exif=photo_exif(gps=PUDONG))
    found = inspect_file(path)
    assert found.taken_at == datetime(2026, 11, 29, 14, 5, tzinfo=SHANGHAI)
    assert found.gps == pytest.approx((31.2340278, 121.475))


def test_a_recorded_offset_wins_over_the_local_zone(tmp_path):
    path = saved(scene(2, (64, 48)), tmp_path / "p.jpg", "JPEG", exif=photo_exif(offset="+09:00"))
    taken_at = inspect_file(path).taken_at
    assert taken_at.utcoffset() == timedelta(hours=9)
    assert taken_at.astimezone(SHANGHAI).hour == 13


def test_without_an_offset_the_given_zone_is_assumed(tmp_path):
    path = saved(scene(2, (64, 48)), tmp_path / "p.jpg", "JPEG", exif=photo_exif())
    taken_at = inspect_file(path, local_tz=timezone.utc).taken_at
    assert taken_at == datetime(2026, 11, 29, 14, 5, tzinfo=timezone.utc)


def test_southern_and_western_hemispheres_are_negative(tmp_path):
    gps = {1: "S", 2: (33.0, 52.0, 0.0), 3: "W", 4: (151.0, 12.0, 0.0)}
    path = saved(scene(2, (64, 48)), tmp_path / "p.jpg", "JPEG", exif=photo_exif(gps=gps))
    assert inspect_file(path).gps == pytest.approx((-33.8666667, -151.2))


def test_a_make_repeated_in_the_model_is_said_once(tmp_path):
    exif = photo_exif(make="Canon", model="Canon EOS R5")
    path = saved(scene(2, (64, 48)), tmp_path / "p.jpg", "JPEG", exif=exif)
    assert inspect_file(path).camera == "Canon EOS R5"


def test_broken_tags_leave_their_fields_empty_and_the_rest_intact(tmp_path):
    gps = {1: "N", 2: (TiffImagePlugin.IFDRational(31, 0), 0.0, 0.0), 3: "E", 4: (121.0, 28.0, 30.0)}
    exif = photo_exif(taken="not a date", offset="+99:99", gps=gps, orientation=9)
    path = saved(scene(2, (64, 48)), tmp_path / "p.jpg", "JPEG", exif=exif)
    found = inspect_file(path)
    assert (found.taken_at, found.gps) == (None, None)
    assert (found.camera, found.width, found.height) == ("Xiaomi Redmi Note 8", 64, 48)
    assert make_thumbnail(path)


def _with_app1(jpeg: bytes, payload: bytes) -> bytes:
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("payload", [
    b"Exif\x00\x00" + bytes(range(256)) * 3,
    # A TIFF header whose GPS, Exif and DateTime entries point far outside the segment.
    b"Exif\x00\x00II*\x00" + struct.pack("<IH", 8, 3) + struct.pack("<HHII", 0x8825, 4, 1, 0xFFFFFF0)
    + struct.pack("<HHII", 0x8769, 4, 1, 9999) + struct.pack("<HHII", 0x0132, 2, 20, 7777) + b"\x00" * 4,
])
def test_garbage_exif_does_not_stop_a_photo(tmp_path, payload):
    buffer = io.BytesIO()
    scene(3, (64, 48)).save(buffer, "JPEG")
    path = tmp_path / "p.jpg"
    path.write_bytes(_with_app1(buffer.getvalue(), payload))
    found = inspect_file(path)
    assert (found.content_type, found.width) == ("image/jpeg", 64)
    assert (found.taken_at, found.gps, found.camera) == (None, None, None)
    assert found.phash is not None
    assert make_thumbnail(path)


@pytest.mark.parametrize(("fmt", "content_type"), [("JPEG", "image/jpeg"), ("HEIF", "image/heic")])
def test_a_truncated_photo_is_kept_without_a_thumbnail(tmp_path, fmt, content_type):
    whole = saved(scene(3, (640, 480)), tmp_path / "whole", fmt)
    path = tmp_path / "cut"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    found = inspect_file(path)
    assert (found.content_type, found.width, found.phash) == (content_type, 640, None)
    with pytest.raises(UnreadableImage):
        make_thumbnail(path)


def test_thumbnails_stand_the_way_the_phone_was_held(tmp_path):
    # Stored 200 wide and 100 high, with EXIF saying "turn a quarter right" (a phone held upright).
    path = saved(scene(4, (200, 100)), tmp_path / "p.jpg", "JPEG", exif=photo_exif(orientation=6))
    thumb = Image.open(io.BytesIO(make_thumbnail(path)))
    assert thumb.height > thumb.width
    assert (inspect_file(path).width, inspect_file(path).height) == (100, 200)


def test_thumbnails_are_small_separate_jpegs_without_the_location(tmp_path):
    path = saved(scene(5, (1600, 1200)), tmp_path / "p.jpg", "JPEG", exif=photo_exif(gps=PUDONG))
    before = path.read_bytes()
    thumb = make_thumbnail(path, max_px=320)
    assert path.read_bytes() == before
    assert sniff(thumb) == "image/jpeg"
    image = Image.open(io.BytesIO(thumb))
    assert max(image.size) == 320
    assert not image.getexif().get_ifd(0x8825)


@pytest.mark.parametrize("fmt", ["HEIF", "PNG", "WEBP"])
def test_thumbnails_of_other_photo_types(tmp_path, fmt):
    image = scene(6, (800, 600))
    if fmt == "PNG":
        image = image.convert("RGBA")
    path = saved(image, tmp_path / "p", fmt)
    assert Image.open(io.BytesIO(make_thumbnail(path))).size == (480, 360)


def test_a_document_has_no_thumbnail(tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(PDF)
    with pytest.raises(UnreadableImage):
        make_thumbnail(path)


def test_a_phone_photo_thumbnail_is_quick(tmp_path):
    path = saved(scene(7, (1000, 750)).resize((4000, 3000)), tmp_path / "p.jpg", "JPEG", quality=90)
    started = time.perf_counter()
    make_thumbnail(path)
    assert time.perf_counter() - started < 0.5  # ~50 ms measured here


def test_copies_of_a_photo_are_near_duplicates(tmp_path):
    original = scene(8)
    base = inspect_file(saved(original, tmp_path / "o.jpg", "JPEG", quality=92)).phash
    copies = [
        saved(original.resize((533, 400)), tmp_path / "small.jpg", "JPEG", quality=55),
        saved(original.resize((800, 600)), tmp_path / "c.webp", "WEBP", quality=60),
        # A phone stores the pixels turned and says so in EXIF; a messaging app's copy of the
        # same photo has them upright and no EXIF. The two are compared upright.
        saved(original.rotate(90, expand=True), tmp_path / "turned.jpg", "JPEG",
              exif=photo_exif(orientation=6)),
    ]
    for copy in copies:
        assert phash_distance(base, inspect_file(copy).phash) <= NEAR_DUPLICATE, copy.name


def test_different_photos_are_not_near_duplicates(tmp_path):
    hashes = [inspect_file(saved(scene(seed, (640, 480)), tmp_path / f"{seed}.jpg", "JPEG")).phash
              for seed in range(10, 16)]
    distances = [phash_distance(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1:]]
    assert min(distances) > NEAR_DUPLICATE


def test_hashes_of_different_lengths_cannot_be_compared():
    assert phash_distance("ffff000000000000", "ffff000000000000") == 0
    with pytest.raises(ValueError):
        phash_distance("ff", "ffff")


def _png_claiming(tmp_path: Path, width: int, height: int) -> Path:
    """A small PNG whose header claims `width` × `height` pixels (as a crafted upload would)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    body = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[12:33] = body + struct.pack(">I", zlib.crc32(body))
    path = tmp_path / "bomb.png"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(("width", "height"), [(12000, 11000), (50000, 50000)])
def test_an_image_claiming_too_many_pixels_is_never_decoded(tmp_path, width, height):
    assert width * height > MAX_IMAGE_PIXELS
    path = _png_claiming(tmp_path, width, height)
    found = inspect_file(path)
    assert (found.content_type, found.is_image) == ("image/png", True)
    assert (found.width, found.height, found.phash) == (None, None, None)
    with pytest.raises(ImageTooLarge):
        make_thumbnail(path)
