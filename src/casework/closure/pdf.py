"""The closure pack's PDF (整改销号材料): A4, Chinese, the same bytes for the same content.

The font is embedded (WenQuanYi Micro Hei by default) so the pack reads the same on a machine
without Chinese fonts years from now; reportlab's built-in STSong-Light is not embedded.
Photos appear as thumbnails decoded at reduced size straight from the stored originals.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import threading
import unicodedata
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache, partial
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from PIL import Image, ImageOps, JpegImagePlugin
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate,
                                Spacer, Table, TableStyle)

from casework.closure.content import TITLE, EvidenceEntry, PackContent, TimelineEntry, format_date

log = logging.getLogger(__name__)

FONT_SETTING = "CASEWORK_PDF_FONT"
DEFAULT_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT_PACKAGE = "fonts-wqy-microhei"

EMPTY = "—"

THUMBNAIL_EDGE = 1000  # pixels on the long side: ~300 dpi at the size printed
THUMBNAIL_QUALITY = 80
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF", "AVIF", "TIFF", "GIF", "BMP")
HEIF_TYPES = frozenset({"image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence"})
# Decoding releases the GIL; more threads than cores only adds memory.
THUMBNAIL_THREADS = min(4, os.cpu_count() or 1)

PAGE_WIDTH = A4[0]
MARGIN = 18 * mm
BOTTOM_MARGIN = 20 * mm
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN
HASH_LINE = 16  # hex digits per line in the manifest's hash column
HEADING_ROOM = 35 * mm  # a heading, a table's header row and its first row
PHOTO_CELL = (BODY_WIDTH / 2, 120 * mm)  # two across, two down: four photos a page
PHOTO_BOX = (PHOTO_CELL[0] - 6 * mm, 102 * mm)

MUTED = "#555555"
WARNING = "#b00000"
GRID = colors.HexColor("#9a9a9a")
LABEL_BACKGROUND = colors.HexColor("#eeeeee")


class FontMissing(Exception):
    """No Chinese TrueType font where the settings say, so no pack can be rendered."""


def find_font(setting: str | None) -> Path:
    """The font file to embed: the configured path, else Debian's WenQuanYi Micro Hei."""
    if setting:
        path = Path(setting)
        if path.is_file():
            return path
        raise FontMissing(
            f"{FONT_SETTING}={setting} is not a font file. Point {FONT_SETTING} at a TrueType "
            f"font with Chinese glyphs, or unset it and install the Debian package {FONT_PACKAGE} "
            f"(apt-get install {FONT_PACKAGE})."
        )
    if DEFAULT_FONT.is_file():
        return DEFAULT_FONT
    raise FontMissing(
        f"No Chinese font for closure packs: {FONT_SETTING} is not set and {DEFAULT_FONT} does not "
        f"exist. Install the Debian package {FONT_PACKAGE} (apt-get install {FONT_PACKAGE}) or set "
        f"{FONT_SETTING} to a TrueType font with Chinese glyphs."
    )


_fonts: dict[Path, str] = {}
_fonts_lock = threading.Lock()


def register_font(path: Path) -> str:
    """The reportlab name of the Chinese font at `path`, registered once per process."""
    # Parsing the font takes ~0.2 s, so once per process and path. The name is derived from the
    # path, not from the order of registration, so every process writes the same bytes.
    path = path.resolve()
    with _fonts_lock:
        if path not in _fonts:
            name = "CaseworkCJK-" + hashlib.sha256(str(path).encode()).hexdigest()[:12]
            pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
            _fonts[path] = name
        return _fonts[path]


def render_pdf(content: PackContent, out: BinaryIO, *, font_path: Path) -> None:
    """Write the closure pack's PDF for `content` to `out`."""
    # ASCII85 wraps every stream in 7-bit text for transports that PDFs no longer travel over;
    # without reportlab's optional C accelerator it takes a second for twenty photos, and it
    # makes the file a quarter larger.
    rl_config.useA85 = 0
    font = register_font(font_path)
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=f"{TITLE} {content.case_number}",
        subject=content.title,
        author="Casework",
        creator="Casework",
        lang="zh-CN",
        # Otherwise every page starts in Helvetica, a font the file would reference but not embed.
        initialFontName=font,
        invariant=1,
    )
    canvasmaker = partial(_PackCanvas, footer_font=font, case_number=content.case_number,
                          pdf_date=_pdf_date(content))
    # Photos decode in the pool while the text pages are laid out; each photo waits for its
    # thumbnail only when its page is reached.
    pool = ThreadPoolExecutor(max_workers=THUMBNAIL_THREADS, thread_name_prefix="thumbnail")
    try:
        doc.build(_story(content, _styles(font), pool), canvasmaker=canvasmaker)
    finally:
        pool.shutdown(cancel_futures=True)


def _story(content: PackContent, styles: dict[str, ParagraphStyle], pool: ThreadPoolExecutor) -> list:
    # The body ends with the sign-off and the record it was built on; the photos follow as an
    # attachment (附件), the way a township files a report with its pictures behind it.
    story: list = [
        Paragraph(TITLE, styles["title"]),
        Paragraph(_text(f"整改编号：{content.case_number}"), styles["subtitle"]),
        *_heading("一、基本情况", styles),
        _details_table(content, styles),
        *_heading("二、办理过程", styles),
        _timeline_table(content, styles),
        *_heading("三、佐证资料清单", styles),
        _manifest_table(content, styles),
        _closing(content, styles),
    ]
    photos = [entry for entry in content.evidence if _shows_photo(entry)]
    if photos:
        thumbnails = [pool.submit(_thumbnail_or_none, entry) for entry in photos]
        story += [PageBreak(), *_heading("附件：现场照片", styles),
                  _photo_table(list(zip(photos, thumbnails)), content, styles)]
    return story


# --- the document's parts ---------------------------------------------------------------------


def _heading(title: str, styles: dict[str, ParagraphStyle]) -> list:
    # A heading left alone at the foot of a page goes to the next one; the section under it may
    # still start on this page and run on (keepWithNext would push a long table to the next page).
    return [CondPageBreak(HEADING_ROOM), Paragraph(title, styles["heading"])]


def _details_table(content: PackContent, styles: dict[str, ParagraphStyle]) -> Table:
    item = content.item
    rows = [
        ("排查整改行动", content.campaign_name),
        ("排查项", item.title),
        ("排查内容", item.what_to_inspect),
        ("整改措施", item.rectification_measure),
        ("整改编号", content.case_number),
        ("问题", content.title),
        ("问题描述", content.description),
        ("村（社区）", content.village),
        ("帮扶对象（户主）", content.household_name),
        ("责任单位", content.unit_name),
        ("责任人", content.assignee_name),
        ("整改期限", format_date(content.deadline) if content.deadline else "未设定"),
        ("完成时间", content.format_time(content.completed_at)),
        ("是否逾期", "是" if content.late else "否"),
    ]
    data = [[Paragraph(label, styles["label"]), Paragraph(_text(value), styles["cell"])] for label, value in rows]
    table = Table(data, colWidths=[32 * mm, BODY_WIDTH - 32 * mm], splitInRow=1)
    table.setStyle(_grid(styles, extra=[("BACKGROUND", (0, 0), (0, -1), LABEL_BACKGROUND)]))
    return table


def _timeline_table(content: PackContent, styles: dict[str, ParagraphStyle]) -> Table:
    header = ["序号", "时间", "办理人", "事项", "状态变化", "理由／说明"]
    data = [[Paragraph(h, styles["header"]) for h in header]]
    data += [_timeline_row(entry, content, styles) for entry in content.timeline]
    widths = [11 * mm, 29 * mm, 22 * mm, 20 * mm, 34 * mm]
    table = Table(data, colWidths=widths + [BODY_WIDTH - sum(widths)], repeatRows=1, splitInRow=1)
    table.setStyle(_grid(styles, header=True))
    return table


def _timeline_row(entry: TimelineEntry, content: PackContent, styles: dict[str, ParagraphStyle]) -> list:
    if entry.from_label or entry.to_label:
        change = f"{entry.from_label or EMPTY} → {entry.to_label or EMPTY}"
    else:
        change = EMPTY
    notes = []
    if entry.reason:
        notes.append(f"理由：{entry.reason}")
    if entry.comment:
        notes.append(f"说明：{entry.comment}")
    cell = styles["cell"]
    return [
        Paragraph(str(entry.seq), styles["number"]),
        Paragraph(_text(content.format_time(entry.at)), cell),
        Paragraph(_text(entry.actor_name), cell),
        Paragraph(_text(entry.event_label), cell),
        Paragraph(_text(change), cell),
        Paragraph(_text("\n".join(notes)), cell),
    ]


def _manifest_table(content: PackContent, styles: dict[str, ParagraphStyle]) -> Table:
    header = ["编号", "文件名／类别", "大小", "SHA-256", "上传", "拍摄时间／地点", "备注"]
    data = [[Paragraph(h, styles["header"]) for h in header]]
    data += [_manifest_row(entry, content, styles) for entry in content.evidence]
    widths = [10 * mm, 36 * mm, 15 * mm, 27 * mm, 29 * mm, 29 * mm]
    table = Table(data, colWidths=widths + [BODY_WIDTH - sum(widths)], repeatRows=1, splitInRow=1)
    table.setStyle(_grid(styles, header=True))
    return table


def _manifest_row(entry: EvidenceEntry, content: PackContent, styles: dict[str, ParagraphStyle]) -> list:
    cell, small = styles["cell"], styles["small"]
    taken = []
    if entry.taken_at is not None:
        taken.append(content.format_time(entry.taken_at))
    if entry.gps is not None:
        taken.append(_place(entry.gps))
    notes = [_text(flag) for flag in entry.reuse_flags]
    if entry.withdrawn:
        notes.insert(0, f'<font color="{WARNING}">已撤回，不作为销号依据</font>')
    return [
        Paragraph(entry.label, styles["number"]),
        Paragraph(f'{_text(entry.filename)}<br/><font color="{MUTED}">{_text(entry.kind_label)}</font>', cell),
        Paragraph(_size(entry.size), cell),
        Paragraph("<br/>".join(_chunks(entry.sha256, HASH_LINE)), styles["hash"]),
        Paragraph(_text(f"{entry.uploaded_by_name}\n{content.format_time(entry.uploaded_at)}"), cell),
        Paragraph(_text("\n".join(taken)) if taken else EMPTY, small),
        Paragraph("<br/>".join(notes) if notes else EMPTY, small),
    ]


def _photo_table(thumbnails: Sequence[tuple[EvidenceEntry, Future[bytes | None]]], content: PackContent,
                 styles: dict[str, ParagraphStyle]) -> Table:
    cells = [_photo_cell(entry, thumbnail, content, styles) for entry, thumbnail in thumbnails]
    if len(cells) % 2:
        cells.append(Spacer(1, 1))
    rows = [cells[i:i + 2] for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=[PHOTO_CELL[0]] * 2, rowHeights=[PHOTO_CELL[1]] * len(rows))
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
    ]))
    return table


def _photo_cell(entry: EvidenceEntry, thumbnail: Future[bytes | None], content: PackContent,
                styles: dict[str, ParagraphStyle]) -> list:
    caption = f"图 {entry.label}　{entry.filename}"
    if entry.taken_at is not None:
        caption += f"\n拍摄于 {content.format_time(entry.taken_at)}"
    return [_Photo(thumbnail, styles["caption"].fontName), Spacer(1, 2 * mm),
            Paragraph(_text(caption), styles["caption"])]


class _Photo(Flowable):
    """A thumbnail fitted into PHOTO_BOX, or a framed note when the photo could not be decoded."""

    NO_PREVIEW = "无法生成预览，请查看原件"

    def __init__(self, thumbnail: Future[bytes | None], font: str) -> None:
        super().__init__()
        self.hAlign = "CENTER"
        self._thumbnail = thumbnail
        self._font = font
        self._size: tuple[float, float] | None = None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self._size is None:
            jpeg = self._thumbnail.result()
            if jpeg is None:
                self._size = (PHOTO_BOX[0], PHOTO_BOX[1] / 2)
            else:
                with Image.open(BytesIO(jpeg)) as image:
                    width, height = image.size
                scale = min(PHOTO_BOX[0] / width, PHOTO_BOX[1] / height)
                self._size = (width * scale, height * scale)
        return self._size

    def draw(self) -> None:
        width, height = self.wrap(0, 0)
        jpeg = self._thumbnail.result()
        if jpeg is not None:
            self.canv.drawImage(_JpegReader(jpeg), 0, 0, width, height)
            return
        self.canv.setStrokeColor(GRID)
        self.canv.rect(0, 0, width, height)
        self.canv.setFont(self._font, 9)
        self.canv.drawCentredString(width / 2, height / 2, self.NO_PREVIEW)


class _JpegReader(ImageReader):
    """A thumbnail for the canvas, named by its JPEG bytes.

    reportlab names an image by the MD5 of its decoded pixels, which would decode every
    thumbnail a second time (~0.2 s for twenty); the JPEG's own bytes identify it as well, and
    a JPEG is embedded as it is.
    """

    def __init__(self, jpeg: bytes) -> None:
        super().__init__(BytesIO(jpeg))
        self._jpeg = jpeg
        self._dataA = None  # no transparency: a JPEG has none

    def getRGBData(self) -> bytes:
        return self._jpeg


def _closing(content: PackContent, styles: dict[str, ParagraphStyle]) -> KeepTogether:
    body = styles["body"]
    parts: list = [*_heading("四、验收", styles),
                   Paragraph(_text(f"验收人：{content.verified_by_name}"), body)]
    closing = content.closing_entry
    if closing is not None:
        parts.append(Paragraph(_text(f"验收时间：{content.format_time(closing.at)}"), body))
        if closing.comment:
            parts.append(Paragraph(_text(f"验收意见：{closing.comment}"), body))
    parts += [
        Spacer(1, 5 * mm),
        Paragraph(_text(f"本材料依据第 {content.closing_seq} 条记录（哈希 {content.closing_hash}）生成。"),
                  styles["small"]),
    ]
    return KeepTogether(parts)


class _PackCanvas(Canvas):
    """Stamps every page with the case number and "第 x 页，共 y 页" once the page count is known."""

    def __init__(self, *args, footer_font: str, case_number: str, pdf_date: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._footer_font = footer_font
        self._case_number = case_number
        self._pages: list[dict] = []
        # The PDF's creation date is the case's completion, not the moment of rendering.
        self.setDateFormatter(lambda *_: pdf_date)

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._footer(number, total)
            super().showPage()
        super().save()

    def _footer(self, number: int, total: int) -> None:
        self.saveState()
        self.setStrokeColor(GRID)
        self.setLineWidth(0.5)
        self.line(MARGIN, BOTTOM_MARGIN - 5 * mm, PAGE_WIDTH - MARGIN, BOTTOM_MARGIN - 5 * mm)
        self.setFont(self._footer_font, 8)
        self.setFillColor(colors.HexColor(MUTED))
        y = BOTTOM_MARGIN - 9 * mm
        self.drawString(MARGIN, y, f"{TITLE}　整改编号 {self._case_number}")
        self.drawRightString(PAGE_WIDTH - MARGIN, y, f"第 {number} 页，共 {total} 页")
        self.restoreState()


# --- thumbnails ---------------------------------------------------------------------------------


def _shows_photo(entry: EvidenceEntry) -> bool:
    # Withdrawn files are listed in the manifest but were not what the case was closed on.
    return entry.is_image and not entry.withdrawn


def _thumbnail_or_none(entry: EvidenceEntry) -> bytes | None:
    # A photo that cannot be decoded must not stop the case's pack; its cell says so instead.
    # A file missing from storage does stop it: that is not a picture problem.
    with entry.open_file() as stream:
        try:
            return make_thumbnail(stream, content_type=entry.content_type)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
            log.warning("closure pack: no thumbnail for evidence %s (%s): %s", entry.number, entry.filename, error)
            return None


@cache
def _enable_heif() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()


def make_thumbnail(stream: BinaryIO, *, content_type: str) -> bytes:
    """A JPEG of the photo in `stream`, upright, at most THUMBNAIL_EDGE pixels on its long side."""
    if content_type in HEIF_TYPES:
        _enable_heif()
    # Only photo formats: Pillow would hand an EPS file to Ghostscript.
    Image.init()
    formats = [name for name in PHOTO_FORMATS if name in Image.OPEN]
    with Image.open(stream, formats=formats) as original:
        if isinstance(original, JpegImagePlugin.JpegImageFile):  # MPO, from many phones, is one too
            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale: a 12-megapixel photo then costs a
            # sixteenth of the work and memory.
            scale = THUMBNAIL_EDGE / max(original.size)
            if scale < 1:
                original.draft("RGB", (math.ceil(original.width * scale), math.ceil(original.height * scale)))
        image = ImageOps.exif_transpose(original)
    image.thumbnail((THUMBNAIL_EDGE, THUMBNAIL_EDGE), Image.Resampling.LANCZOS)
    image = _flatten(image)
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=THUMBNAIL_QUALITY)
    return buffer.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """RGB or greyscale, transparency on white: what a JPEG can hold."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


# --- text and styles ----------------------------------------------------------------------------


@cache
def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    cell = ParagraphStyle("cell", base, fontSize=8.5, leading=11.5)
    return {
        "title": ParagraphStyle("title", base, fontSize=22, leading=30, alignment=TA_CENTER, spaceAfter=2 * mm),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=11, leading=16, alignment=TA_CENTER,
                                   spaceAfter=4 * mm),
        "heading": ParagraphStyle("heading", base, fontSize=12.5, leading=18, spaceBefore=5 * mm,
                                  spaceAfter=2.5 * mm),
        "body": ParagraphStyle("body", base, fontSize=10.5, leading=17),
        "label": ParagraphStyle("label", cell),
        "cell": cell,
        "header": ParagraphStyle("header", cell, alignment=TA_CENTER),
        "number": ParagraphStyle("number", cell, alignment=TA_CENTER),
        "small": ParagraphStyle("small", cell, fontSize=7.5, leading=10),
        "hash": ParagraphStyle("hash", cell, fontSize=7, leading=9.5),
        "caption": ParagraphStyle("caption", cell, fontSize=8.5, leading=11.5, alignment=TA_CENTER),
    }


def _grid(styles: dict[str, ParagraphStyle], *, header: bool = False, extra: Sequence[tuple] = ()) -> TableStyle:
    commands = [
        # Tables set their cells' font even when every cell is a paragraph: without this, the
        # file would reference Helvetica, which is not embedded.
        ("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), LABEL_BACKGROUND), ("VALIGN", (0, 0), (-1, 0), "MIDDLE")]
    return TableStyle(commands + list(extra))


def _text(value: str | None) -> str:
    """Paragraph markup for plain text: escaped, line breaks kept, control characters dropped."""
    if value is None or not value.strip():
        return EMPTY
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    return escape(value.strip()).replace("\t", " ").replace("\n", "<br/>")


def _chunks(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)]


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _place(gps: tuple[float, float]) -> str:
    lat, lon = gps
    return f"{'北纬' if lat >= 0 else '南纬'} {abs(lat):.5f}°\n{'东经' if lon >= 0 else '西经'} {abs(lon):.5f}°"


def _pdf_date(content: PackContent) -> str:
    local = content.local(content.completed_at)
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"D:{local:%Y%m%d%H%M%S}{sign}{hours:02d}'{minutes:02d}'"
