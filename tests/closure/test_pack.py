"""The closure pack as an assessment team would open it: the PDF reads in Chinese with every
hash on it, the ZIP checks out against its own manifest, and the same case gives the same bytes."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
import subprocess
import sys
import zipfile
from datetime import date, datetime, timedelta, timezone
from functools import partial
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from casework.closure import pdf
from casework.closure.archive import MANIFEST_NAME, EvidenceMismatch, safe_name, write_zip
from casework.closure.content import EvidenceEntry, InspectionItem, PackContent, TimelineEntry
from casework.closure.pdf import FONT_PACKAGE, FONT_SETTING, FontMissing, find_font, make_thumbnail, render_pdf

REPOSITORY = Path(__file__).resolve().parents[2]
UTC = timezone.utc
REJECTION_REASON = "照片未显示门牌号，无法确认是该户房屋"
CLOSING_HASH = hashlib.sha256(b"event 8").hexdigest()


# --- a case as the database would describe it ---------------------------------------------------


def _photo(path: Path, *, sky: tuple[int, int, int], ground: tuple[int, int, int], label: str,
           size: tuple[int, int] = (1600, 1200), orientation: int | None = None) -> None:
    """A photo-like JPEG; with `orientation`, stored turned as a phone held sideways would."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        colour = sky if t < 0.6 else ground
        shade = 0.75 + 0.25 * (1 - t)
        draw.line([(0, y), (width, y)], fill=tuple(int(c * shade) for c in colour))
    # A house whose roof points up: upright only if the orientation was honoured.
    left, right, base = width * 0.3, width * 0.7, height * 0.8
    draw.rectangle([left, height * 0.45, right, base], fill=(230, 225, 210), outline=(60, 50, 40), width=8)
    draw.polygon([(left - 40, height * 0.45), (width / 2, height * 0.2), (right + 40, height * 0.45)],
                 fill=(150, 40, 30))
    draw.rectangle([width * 0.46, height * 0.6, width * 0.54, base], fill=(90, 60, 40))
    draw.text((40, 40), label, fill=(255, 255, 255))
    exif = Image.Exif()
    if orientation == 6:
        # EXIF 6: the viewer turns the stored pixels 90° clockwise to show them upright.
        image = image.rotate(90, expand=True)
        exif[0x0112] = 6
    image.save(path, "JPEG", quality=88, exif=exif.tobytes())


def _signed_form(path: Path) -> None:
    """A scanned form as PDF (what 签字确认单 usually are)."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), invariant=1)
    canvas.drawString(72, 720, "Signed acknowledgement (scan)")
    canvas.save()


def build_content(folder: Path, *, extra_evidence: tuple[tuple[str, str, bytes], ...] = ()) -> PackContent:
    """A verified case with three photos (one turned by EXIF), a signed form, minutes and a withdrawn photo."""
    folder.mkdir(parents=True, exist_ok=True)
    _photo(folder / "before.jpg", sky=(120, 170, 230), ground=(110, 90, 70), label="before")
    _photo(folder / "after.jpg", sky=(140, 200, 250), ground=(70, 150, 60), label="after")
    _photo(folder / "door.jpg", sky=(240, 180, 90), ground=(160, 160, 160), label="door", size=(1200, 1600),
           orientation=6)
    _photo(folder / "wrong.jpg", sky=(200, 200, 200), ground=(30, 30, 30), label="wrong")
    _signed_form(folder / "form.pdf")
    (folder / "minutes.txt").write_text("2026年11月20日 村民小组会议：确认危房改造已完成。\n" * 40, encoding="utf-8")

    start = datetime(2026, 11, 10, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
    files = [
        ("before.jpg", "整改前照片.jpg", "照片", "image/jpeg", True, None),
        ("after.jpg", "整改后照片（正面）.jpg", "照片", "image/jpeg", True, None),
        ("door.jpg", "门牌号.jpg", "照片", "image/jpeg", True, (28.228, 112.93886)),
        ("form.pdf", "签字确认单.pdf", "签字确认单", "application/pdf", False, None),
        ("minutes.txt", "村民小组会议记录.txt", "会议记录", "text/plain", False, None),
        ("wrong.jpg", "另一户的照片.jpg", "照片", "image/jpeg", True, None),
    ]
    evidence = []
    for number, (stored, filename, kind, content_type, is_image, gps) in enumerate(files, start=1):
        path = folder / stored
        evidence.append(EvidenceEntry(
            number=number, filename=filename, kind_label=kind, size=path.stat().st_size,
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(), content_type=content_type,
            uploaded_by_name="李四", uploaded_at=start + timedelta(days=3, minutes=number),
            taken_at=datetime(2026, 11, 12, 15, number) if is_image else None, gps=gps,
            reuse_flags=("与 QS-2026-0017 的照片相同",) if stored == "wrong.jpg" else (),
            withdrawn=stored == "wrong.jpg", open_file=partial(path.open, "rb"), is_image=is_image,
        ))
    for name, content_type, data in extra_evidence:
        path = folder / f"extra-{len(evidence) + 1}"
        path.write_bytes(data)
        evidence.append(EvidenceEntry(
            number=len(evidence) + 1, filename=name, kind_label="其他材料", size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), content_type=content_type, uploaded_by_name="李四",
            uploaded_at=start + timedelta(days=4), open_file=partial(path.open, "rb"),
        ))

    events = [
        ("张三", "登记问题", None, "待交办", None, "入户排查发现"),
        ("张三", "交办", "待交办", "已交办", None, None),
        ("李四", "开始整改", "已交办", "整改中", None, None),
        ("李四", "提交佐证", "整改中", "待验收", None, None),
        ("王五", "退回", "待验收", "整改中", REJECTION_REASON, None),
        ("李四", "进展", None, None, None, "已补拍门牌号照片"),
        ("李四", "提交佐证", "整改中", "待验收", None, None),
        ("王五", "验收通过", "待验收", "已销号", None, "整改到位，同意销号"),
    ]
    timeline = tuple(
        TimelineEntry(seq=seq, at=start + timedelta(days=seq, hours=seq), actor_name=actor, event_label=label,
                      from_label=from_label, to_label=to_label, reason=reason, comment=comment)
        for seq, (actor, label, from_label, to_label, reason, comment) in enumerate(events, start=1)
    )
    return PackContent(
        campaign_name="2026年脱贫攻坚问题排查整改专项行动",
        item=InspectionItem(
            title="住房安全保障",
            what_to_inspect="是否存在住危房现象；危房改造是否按时竣工、验收并入住。",
            rectification_measure="对排查出的危房，11月30日前完成改造或安排安全住房，确保不住危房。",
        ),
        case_number="QS-2026-0042",
        title="王家组王某某户住房墙体开裂",
        description="入户排查发现该户房屋东侧墙体有明显裂缝，屋面漏雨。\n需鉴定并实施危房改造。",
        village="青山村",
        household_name="王某某",
        unit_name="青山村村民委员会",
        assignee_name="李四",
        deadline=date(2026, 11, 30),
        completed_at=timeline[-1].at,
        late=False,
        timeline=timeline,
        evidence=tuple(evidence),
        verified_by_name="王五",
        closing_seq=8,
        closing_hash=CLOSING_HASH,
    )


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> PackContent:
    return build_content(tmp_path_factory.mktemp("evidence"))


@pytest.fixture(scope="module")
def font() -> Path:
    return find_font(None)


@pytest.fixture(scope="module")
def pdf_bytes(content, font) -> bytes:
    out = io.BytesIO()
    render_pdf(content, out, font_path=font)
    return out.getvalue()


@pytest.fixture(scope="module")
def pdf_file(pdf_bytes, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pack") / "pack.pdf"
    path.write_bytes(pdf_bytes)
    return path


def _zip(content: PackContent, pdf_file: Path) -> bytes:
    out = io.BytesIO()
    write_zip(content, pdf_file, out)
    return out.getvalue()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _extra_photo(content: PackContent, folder: Path, *, filename: str, content_type: str,
                 data: bytes) -> PackContent:
    path = folder / f"extra-{len(content.evidence) + 1}"
    path.write_bytes(data)
    last = content.evidence[-1]
    photo = dataclasses.replace(
        last, number=last.number + 1, filename=filename, content_type=content_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), withdrawn=False, reuse_flags=(), is_image=True,
        open_file=partial(path.open, "rb"),
    )
    return dataclasses.replace(content, evidence=content.evidence + (photo,))


def _pdf_text(pdf: Path) -> str:
    """The PDF's text without whitespace: pdftotext breaks lines wherever the layout did."""
    return _squash(subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout)


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def _images(pdf: Path) -> list[str]:
    return subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True,
                          text=True).stdout.splitlines()[2:]


# --- the PDF ------------------------------------------------------------------------------------


def test_pdf_text_shows_the_case_timeline_and_every_hash(pdf_file, content):
    text = _pdf_text(pdf_file)

    for expected in ("整改销号材料", "QS-2026-0042", content.item.title, "是否逾期", "验收人：王五",
                     REJECTION_REASON, "已撤回", "与QS-2026-0017的照片相同"):
        assert _squash(expected) in text
    for entry in content.evidence:
        assert entry.sha256 in text, entry.filename
    assert f"本材料依据第8条记录（哈希{CLOSING_HASH}）生成" in text


def test_pdf_embeds_its_only_font(pdf_file):
    lines = subprocess.run(["pdffonts", str(pdf_file)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]

    assert lines, "no fonts listed"
    for line in lines:
        # name type encoding emb sub uni object ID: emb is the fourth column from the right.
        assert line.split()[-5] == "yes", line


def test_first_page_is_not_blank(pdf_file, tmp_path):
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf_file), str(tmp_path / "page")],
                   check=True)
    [page] = tmp_path.glob("page*.png")
    with Image.open(page) as image:
        grey = image.convert("L")
        dark = sum(grey.histogram()[:200])
        total = grey.width * grey.height

    assert 0.02 < dark / total < 0.5


def test_photos_are_shown_upright_and_withdrawn_ones_are_not(pdf_file):
    sizes = [tuple(line.split()[3:5]) for line in _images(pdf_file)]

    # The three photos the case was closed on, the door photo turned upright by its EXIF
    # orientation; the withdrawn photo is listed in the manifest but not shown.
    assert sizes == [("1000", "750"), ("1000", "750"), ("750", "1000")]


def test_thumbnail_is_upright_and_small(content):
    door = next(entry for entry in content.evidence if entry.filename == "门牌号.jpg")
    with door.open_file() as stream:
        with Image.open(stream) as stored:
            assert stored.width > stored.height  # stored sideways
        stream.seek(0)
        thumbnail = Image.open(io.BytesIO(make_thumbnail(stream, content_type=door.content_type)))

    assert thumbnail.format == "JPEG"
    assert thumbnail.height > thumbnail.width
    assert max(thumbnail.size) <= 1000


def test_heic_photo_appears(content, font, tmp_path):
    import pillow_heif

    heic = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (1200, 900), (40, 160, 90))).save(heic, quality=80)
    with_heic = _extra_photo(content, tmp_path, filename="IMG_0001.HEIC", content_type="image/heic",
                             data=heic.getvalue())
    path = tmp_path / "heic.pdf"
    with path.open("wb") as out:
        render_pdf(with_heic, out, font_path=font)

    assert len(_images(path)) == 4
    assert _images(path)[-1].split()[3:5] == ["1000", "750"]  # width, height


def test_undecodable_photo_is_noted_not_fatal(content, font, tmp_path):
    broken = _extra_photo(content, tmp_path, filename="损坏的照片.jpg", content_type="image/jpeg",
                          data=b"\xff\xd8\xff\xe0 not really a photo")
    path = tmp_path / "broken.pdf"
    with path.open("wb") as out:
        render_pdf(broken, out, font_path=font)

    text = _pdf_text(path)
    assert "图07损坏的照片.jpg" in text
    assert "无法生成预览，请查看原件" in text


def test_same_content_gives_the_same_pdf_in_another_process(pdf_bytes, content, font, tmp_path):
    again = io.BytesIO()
    render_pdf(content, again, font_path=font)
    assert again.getvalue() == pdf_bytes

    # A fresh process registers the font anew and hashes strings with another seed.
    script = (
        "import sys; from pathlib import Path\n"
        "from tests.closure.test_pack import build_content\n"
        "from casework.closure.pdf import find_font, render_pdf\n"
        "content = build_content(Path(sys.argv[1]))\n"
        "with open(sys.argv[2], 'wb') as out:\n"
        "    render_pdf(content, out, font_path=find_font(None))\n"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "evidence"), str(tmp_path / "other.pdf")],
                   check=True, cwd=REPOSITORY, env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"})
    assert (tmp_path / "other.pdf").read_bytes() == pdf_bytes


def test_missing_font_names_the_setting_and_the_package(tmp_path, monkeypatch):
    with pytest.raises(FontMissing) as configured:
        find_font(str(tmp_path / "no-such-font.ttc"))
    monkeypatch.setattr(pdf, "DEFAULT_FONT", tmp_path / "wqy-microhei.ttc")
    with pytest.raises(FontMissing) as default:
        find_font(None)

    for raised in (configured, default):
        assert FONT_SETTING in str(raised.value)
        assert f"apt-get install {FONT_PACKAGE}" in str(raised.value)


def test_text_longer_than_a_page_runs_on(content, font, tmp_path):
    # A table row cannot be taller than a page unless it may split inside.
    long = dataclasses.replace(content, description="该户房屋东侧墙体有明显裂缝，屋面漏雨。" * 400)
    path = tmp_path / "long.pdf"
    with path.open("wb") as out:
        render_pdf(long, out, font_path=font)

    text = _pdf_text(path)
    assert _page_count(path) > 2
    assert text.count("漏") == 400  # every sentence printed, though some are cut by a page's foot


# --- the ZIP ------------------------------------------------------------------------------------


def test_zip_members_match_their_manifest(content, pdf_file):
    with zipfile.ZipFile(io.BytesIO(_zip(content, pdf_file))) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read(MANIFEST_NAME))
        digests = {name: hashlib.sha256(archive.read(name)).hexdigest() for name in names if name != MANIFEST_NAME}
        infos = {info.filename: info for info in archive.infolist()}

    assert names == [
        "00-整改销号材料-QS-2026-0042.pdf", "01-整改前照片.jpg", "02-整改后照片（正面）.jpg", "03-门牌号.jpg",
        "04-签字确认单.pdf", "05-村民小组会议记录.txt", MANIFEST_NAME,
    ]
    assert {f["member"]: f["sha256"] for f in manifest["files"]} == digests
    assert {f["member"]: f["size"] for f in manifest["files"]} == {n: infos[n].file_size for n in digests}
    assert manifest["closing_seq"] == 8 and manifest["closing_hash"] == CLOSING_HASH
    assert digests["00-整改销号材料-QS-2026-0042.pdf"] == hashlib.sha256(pdf_file.read_bytes()).hexdigest()
    # Withdrawn: named and hashed, not packed.
    assert [w["filename"] for w in manifest["withdrawn"]] == ["另一户的照片.jpg"]
    assert infos["01-整改前照片.jpg"].compress_type == zipfile.ZIP_STORED
    assert infos["05-村民小组会议记录.txt"].compress_type == zipfile.ZIP_DEFLATED
    # Chinese names carry the UTF-8 flag, so unzip tools do not read them as GBK or CP437.
    assert all(info.flag_bits & 0x800 for name, info in infos.items() if not name.isascii())
    assert infos["01-整改前照片.jpg"].date_time == (2026, 11, 18, 17, 30, 0)  # completed, Shanghai time


def test_same_content_gives_the_same_zip(content, pdf_file):
    assert _zip(content, pdf_file) == _zip(content, pdf_file)


@pytest.mark.parametrize(("uploaded", "safe"), [
    ("../../etc/passwd", "_._etc_passwd"),
    ("a\\b.jpg", "a_b.jpg"),
    ("photo\x00.jpg", "photo.jpg"),
    ("..", "文件"),
    ("\u202egpj.exe", "gpj.exe"),
    ("整改 后:照片?.jpg", "整改 后_照片_.jpg"),
])
def test_hostile_file_names_become_one_safe_member(uploaded, safe):
    assert safe_name(uploaded) == safe


def test_hostile_names_stay_inside_the_archive(tmp_path, pdf_file):
    hostile = build_content(tmp_path / "evidence", extra_evidence=(
        ("../../etc/passwd", "text/plain", b"root:x:0:0\n"),
        ("a\\b", "text/plain", b"b\n"),
        ("nul\x00name.txt", "text/plain", b"nul\n"),
    ))
    with zipfile.ZipFile(io.BytesIO(_zip(hostile, pdf_file))) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "out")

    assert names[-4:-1] == ["07-_._etc_passwd", "08-a_b", "09-nulname.txt"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(names)


def test_long_name_keeps_its_extension():
    name = safe_name("很长的文件名" * 40 + ".jpg")
    assert name.endswith(".jpg") and len(name.encode()) <= 180


def test_evidence_is_copied_in_chunks(content, pdf_file):
    data = bytes(range(256)) * 12 * 1024  # 3 MiB
    reads = []

    class Recording(io.BytesIO):
        def read(self, size=-1):
            reads.append(size)
            return super().read(size)

    scan = dataclasses.replace(content.evidence[3], size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                               open_file=lambda: Recording(data))
    _zip(dataclasses.replace(content, evidence=(scan,)), pdf_file)

    # Never "read it all": a case's evidence can run to hundreds of megabytes.
    assert len(reads) > 3 and all(0 < size <= 1024 * 1024 for size in reads)


def test_changed_evidence_is_refused(tmp_path, pdf_file):
    content = build_content(tmp_path / "evidence")
    (tmp_path / "evidence" / "after.jpg").write_bytes(b"not the photo that was uploaded")

    with pytest.raises(EvidenceMismatch, match="整改后照片"):
        _zip(content, pdf_file)

