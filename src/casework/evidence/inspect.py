"""What an uploaded evidence file is, decided from its bytes alone, and what a photo says of itself.

The file's name and the client's Content-Type are never consulted: a phone, a browser or a person
can get either wrong, and a renamed page or program must not be served back as a photo. libmagic
decides the type; only the types in `ALLOWED_TYPES` are kept.

A photo's metadata (when, where, which phone) comes from EXIF, which anyone can write: every field
is best effort, and a broken tag makes that field None instead of refusing the file. The original
bytes are evidence and are never re-encoded; thumbnails are separate, metadata-free JPEGs.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

import magic
from PIL import ExifTags, Image, ImageOps

# EXIF times carry no zone; phones in a Chinese township campaign are on Beijing time.
DEFAULT_TIME_ZONE = "Asia/Shanghai"

# libmagic needs the first entries of a zip to tell docx/xlsx from a bare zip; 8 KiB sufficed for
# python-docx, openpyxl and xlsxwriter files, and 64 KiB leaves room for larger leading parts.
SNIFF_BYTES = 64 * 1024

# A 108 MP phone photo (12000 × 9000) still passes; a crafted header claiming more is refused
# before any pixel is decoded (RGB at this size is ~360 MB). Pillow's own guard refuses at ~179 MP.
MAX_IMAGE_PIXELS = 120_000_000

# Perceptual-hash bit distance at or below which two photos show the same picture. Measured on 30
# generated photo-like scenes at 1600×1200: resized (down to 320 px at quality 30), re-encoded,
# PNG, WebP and rotated-by-EXIF copies were 0–4 apart, 20 % brighter 0–6, cropped by 2 % 0–8;
# unrelated scenes 16–46 (435 pairs). The same scene with 8 % of it painted over was 0–16 apart,
# so a before/after pair of one spot may be flagged too: this marks photos for a reviewer to
# compare, it never refuses one. (Distances are even: each hash has exactly 32 bits set.)
NEAR_DUPLICATE = 6


class FileType(NamedTuple):
    extension: str
    is_image: bool


# Keys are what libmagic reports. HEIC/HEIF come in four spellings depending on the ftyp brand
# (heic/heix → image/heic, mif1/heim/heis → image/heif, hevc/msf1 → the -sequence types).
ALLOWED_TYPES: Mapping[str, FileType] = MappingProxyType({
    "image/jpeg": FileType("jpg", True),
    "image/png": FileType("png", True),
    "image/webp": FileType("webp", True),
    "image/heic": FileType("heic", True),
    "image/heif": FileType("heif", True),
    "image/heic-sequence": FileType("heic", True),
    "image/heif-sequence": FileType("heif", True),
    "application/pdf": FileType("pdf", False),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": FileType("docx", False),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": FileType("xlsx", False),
    "text/plain": FileType("txt", False),
})

# Only these Pillow decoders ever see an upload, whatever its first bytes resemble.
_DECODERS = ("JPEG", "PNG", "WEBP", "HEIF")
_HASH_DRAFT_PX = 256
_TEXT_MAX = 100

T = TypeVar("T")


class EmptyFile(Exception):
    """The upload has no bytes at all."""

    def __init__(self) -> None:
        super().__init__("the file is empty")


class UnsupportedType(Exception):
    """The bytes are of a type evidence may not be (a page, a script, a program, an archive…)."""

    def __init__(self, detected: str) -> None:
        self.detected = detected
        super().__init__(f"files of type {detected} are not accepted")


class UnreadableImage(Exception):
    """The bytes claim to be an image that cannot be decoded."""


class ImageTooLarge(UnreadableImage):
    """The image claims more pixels than `MAX_IMAGE_PIXELS`: decoding it could exhaust memory."""


@dataclass(frozen=True, kw_only=True)
class Inspection:
    """What the bytes of one file are. Width and height are as displayed (EXIF rotation applied)."""

    content_type: str
    size: int
    sha256: str
    is_image: bool
    taken_at: datetime | None = None
    # (lat, lon) in WGS-84, as the phone's GNSS reports it; Chinese web maps draw GCJ-02, so a
    # point must be converted before it is plotted on one.
    gps: tuple[float, float] | None = None
    camera: str | None = None
    phash: str | None = None
    width: int | None = None
    height: int | None = None


def sniff(head: bytes) -> str:
    """The accepted MIME type of a file starting with `head`; EmptyFile or UnsupportedType otherwise."""
    if not head:
        raise EmptyFile()
    detected = magic.from_buffer(head, mime=True)
    if detected not in ALLOWED_TYPES:
        raise UnsupportedType(detected)
    return detected


def inspect_file(path: Path, *, local_tz: tzinfo | None = None) -> Inspection:
    """Type, size, SHA-256 and, for photos, metadata; EXIF times with no offset are in `local_tz`."""
    with path.open("rb") as handle:
        content_type = sniff(handle.read(SNIFF_BYTES))
        handle.seek(0)
        sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
        size = handle.tell()
    file_type = ALLOWED_TYPES[content_type]
    facts = _photo_facts(path, local_tz or ZoneInfo(DEFAULT_TIME_ZONE)) if file_type.is_image else {}
    return Inspection(content_type=content_type, size=size, sha256=sha256,
                      is_image=file_type.is_image, **facts)


def make_thumbnail(path: Path, *, max_px: int = 480) -> bytes:
    """An upright JPEG at most `max_px` a side, without metadata; UnreadableImage if none can be made."""
    with _open_image(path) as image:
        try:
            # JPEG decodes at 1/2…1/8 scale straight from the DCT: a 12 MP photo costs 0.2 MP.
            image.draft("RGB", (max_px, max_px))
            upright = _upright(image)
            if upright.mode not in ("RGB", "RGBA", "L", "LA"):
                upright = upright.convert("RGBA")
            upright.thumbnail((max_px, max_px))
            out = io.BytesIO()
            _on_white(upright).save(out, "JPEG", quality=82)
        except Exception as exc:  # noqa: BLE001 - decoders of untrusted bytes fail in many ways
            raise UnreadableImage(str(exc)) from exc
    # No EXIF is carried over: a thumbnail is shown widely and must not leak where a home is.
    return out.getvalue()


def phash_distance(a: str, b: str) -> int:
    """How many bits two perceptual hashes (hex strings of equal length) differ by."""
    if len(a) != len(b):
        raise ValueError("perceptual hashes of different lengths cannot be compared")
    return (int(a, 16) ^ int(b, 16)).bit_count()


@functools.cache
def _register_heif() -> None:
    # Loads libheif; done on the first image, not when the module is imported.
    import pillow_heif

    pillow_heif.register_heif_opener()


@contextmanager
def _open_image(path: Path) -> Iterator[Image.Image]:
    """The image at `path`, its header read and its size checked, no pixel decoded yet."""
    _register_heif()
    try:
        image = Image.open(path, formats=_DECODERS)
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - decoders of untrusted bytes fail in many ways
        raise UnreadableImage(str(exc)) from exc
    with image:
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise ImageTooLarge(f"{image.width}×{image.height} pixels exceeds {MAX_IMAGE_PIXELS}")
        yield image


def _photo_facts(path: Path, local_tz: tzinfo) -> dict[str, Any]:
    # A photo too large or too broken to open is still evidence: it keeps its bytes, not its facts.
    try:
        with _open_image(path) as image:
            exif = _exif(image)
            width, height = _displayed_size(image, exif) or (None, None)
            return {
                "width": width, "height": height,
                "taken_at": _taken_at(exif, local_tz),
                "gps": _gps(exif),
                "camera": _camera(exif),
                # Last: it drafts and decodes the image, which changes its reported size.
                "phash": _phash(image),
            }
    except UnreadableImage:
        return {}


def _quiet(read: Callable[..., T]) -> Callable[..., T | None]:
    """`read`, but None where it would raise: every EXIF value is untrusted input."""

    @functools.wraps(read)
    def wrapper(*args: Any) -> T | None:
        try:
            return read(*args)
        except Exception:  # noqa: BLE001 - any parser failure on a crafted tag means "unknown"
            return None

    return wrapper


@_quiet
def _exif(image: Image.Image) -> Image.Exif:
    return image.getexif()


@_quiet
def _displayed_size(image: Image.Image, exif: Image.Exif | None) -> tuple[int, int]:
    width, height = image.size
    # Orientations 5–8 turn the picture a quarter: the phone held upright.
    if exif is not None and exif.get(ExifTags.Base.Orientation) in (5, 6, 7, 8):
        return height, width
    return width, height


@_quiet
def _taken_at(exif: Image.Exif, local_tz: tzinfo) -> datetime | None:
    details = exif.get_ifd(ExifTags.IFD.Exif)
    candidates = (
        (details.get(ExifTags.Base.DateTimeOriginal), details.get(ExifTags.Base.OffsetTimeOriginal)),
        (exif.get(ExifTags.Base.DateTime), details.get(ExifTags.Base.OffsetTime)),
    )
    for stamp, offset in candidates:
        moment = _parse_stamp(stamp)
        if moment is not None:
            return moment.replace(tzinfo=_parse_offset(offset) or local_tz)
    return None


def _parse_stamp(value: object) -> datetime | None:
    text = _text(value)
    if text is None:
        return None
    # The standard says "YYYY:MM:DD HH:MM:SS"; some writers use dashes in the date.
    for pattern in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text[:19], pattern)
        except ValueError:
            continue
    return None


_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


def _parse_offset(value: object) -> tzinfo | None:
    match = _OFFSET.fullmatch(_text(value) or "")
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14) or int(minutes) >= 60:
        return None
    return timezone(-delta if sign == "-" else delta)


@_quiet
def _gps(exif: Image.Exif) -> tuple[float, float] | None:
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "N", "S", 90)
    lon = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "E", "W", 180)
    if lat is None or lon is None:
        return None
    # Phones without a satellite fix write zeros; a campaign is never at 0°N 0°E.
    if lat == 0 and lon == 0:
        return None
    return round(lat, 7), round(lon, 7)


def _degrees(value: object, ref: object, positive: str, negative: str, limit: float) -> float | None:
    raw = value if isinstance(value, tuple) else (value,)
    parts = [float(part) for part in raw]  # type: ignore[arg-type]
    if not 1 <= len(parts) <= 3 or not all(math.isfinite(part) and part >= 0 for part in parts):
        return None
    degrees = sum(part / 60**index for index, part in enumerate(parts))
    # Without its N/S/E/W the sign is a guess, and a wrong guess moves the photo across the globe.
    sign = {positive: 1, negative: -1}.get((_text(ref) or "").upper())
    if sign is None or degrees > limit:
        return None
    return sign * degrees


@_quiet
def _camera(exif: Image.Exif) -> str | None:
    make, model = _text(exif.get(ExifTags.Base.Make)), _text(exif.get(ExifTags.Base.Model))
    # Some makers repeat the make in the model ("Canon" / "Canon EOS R5").
    if make and model and model.lower().startswith(make.lower()):
        return model
    return " ".join(part for part in (make, model) if part) or None


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return None
    printable = "".join(char for char in value if char.isprintable()).strip()
    return printable[:_TEXT_MAX] or None


@_quiet
def _phash(image: Image.Image) -> str:
    import imagehash  # brings numpy: loaded with the first photo, not with the module

    # The hash looks at 32×32 grey pixels: decoding a JPEG at 1/8 scale loses nothing it uses.
    image.draft("L", (_HASH_DRAFT_PX, _HASH_DRAFT_PX))
    # Upright first: messaging apps rotate the pixels and drop EXIF, and that copy must still match.
    return str(imagehash.phash(_upright(image)))


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as EXIF says; as stored when the orientation tag is unreadable."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - a crafted orientation tag must not cost the picture
        image.load()
        return image


def _on_white(image: Image.Image) -> Image.Image:
    """RGB or grey, transparent parts laid on white, as JPEG needs."""
    if image.mode in ("RGB", "L"):
        return image
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
