"""Time a closure pack for a case with 20 phone photos (4000×3000 JPEGs of 3–4 MB each).

    .venv/bin/python bench/closure_pack.py [--photos DIR] [--keep DIR]

The photos are made once (noise over gradients, so they compress like real ones) and cached in
DIR (default /tmp/casework-bench-photos). They are made in a child process, so this process's peak
memory is the pack's alone. Prints the PDF time (the first build includes registering the font,
as a fresh worker would), the ZIP time and the peak memory. Not run by the tests.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import date, datetime, timedelta, timezone
from functools import partial
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw

from casework.closure import pdf
from casework.closure.archive import write_zip
from casework.closure.content import EvidenceEntry, InspectionItem, PackContent, TimelineEntry
from casework.closure.pdf import find_font, render_pdf

PHOTOS = 20
SIZE = (4000, 3000)
DEFAULT_DIR = Path("/tmp/casework-bench-photos")


def make_photos(folder: Path) -> None:
    """Write the 20 photos; every fifth is a portrait shot stored sideways with EXIF orientation 6,
    as a phone held upright stores it."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(PHOTOS):
        path = folder / f"photo-{index + 1:02d}.jpg"
        if path.exists():
            continue
        sideways = index % 5 == 4
        size = (SIZE[1], SIZE[0]) if sideways else SIZE
        width, height = size
        gradient = Image.linear_gradient("L").resize(size)
        base = Image.merge("RGB", (gradient, gradient.transpose(Image.Transpose.ROTATE_180),
                                   gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
        noise = Image.merge("RGB", [Image.effect_noise(size, 40) for _ in range(3)])
        image = Image.blend(base, noise, 0.29 + 0.01 * (index % 8))
        draw = ImageDraw.Draw(image)
        hue = (index * 37 % 200 + 40, index * 91 % 200 + 40, index * 53 % 200 + 40)
        draw.rectangle([width * 0.3, height * 0.45, width * 0.7, height * 0.85], fill=hue, outline=(0, 0, 0), width=20)
        draw.polygon([(width * 0.25, height * 0.45), (width * 0.5, height * 0.15), (width * 0.75, height * 0.45)],
                     fill=(150, 40, 30))
        exif = Image.Exif()
        exif[0x010F] = "Bench"  # Make
        exif[0x0112] = 1
        if sideways:
            image = image.rotate(90, expand=True)  # the viewer turns it back, 90° clockwise
            exif[0x0112] = 6
        image.save(path, "JPEG", quality=90, exif=exif.tobytes())


def build_content(folder: Path) -> PackContent:
    start = datetime(2026, 11, 10, 1, 30, tzinfo=timezone.utc)
    evidence = []
    for number, path in enumerate(sorted(folder.glob("photo-*.jpg")), start=1):
        evidence.append(EvidenceEntry(
            number=number, filename=f"现场照片{number:02d}.jpg", kind_label="照片", size=path.stat().st_size,
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(), content_type="image/jpeg",
            uploaded_by_name="李四", uploaded_at=start + timedelta(days=3, minutes=number),
            taken_at=datetime(2026, 11, 12, 9, number), gps=(28.228 + number / 1e4, 112.93886),
            open_file=partial(path.open, "rb"), is_image=True,
        ))
    timeline = tuple(
        TimelineEntry(seq=seq, at=start + timedelta(days=seq), actor_name=actor, event_label=label,
                      from_label=before, to_label=after)
        for seq, (actor, label, before, after) in enumerate([
            ("张三", "登记问题", None, "待交办"), ("张三", "交办", "待交办", "已交办"),
            ("李四", "开始整改", "已交办", "整改中"), ("李四", "提交佐证", "整改中", "待验收"),
            ("王五", "验收通过", "待验收", "已销号"),
        ], start=1)
    )
    return PackContent(
        campaign_name="2026年脱贫攻坚问题排查整改专项行动",
        item=InspectionItem(title="住房安全保障", what_to_inspect="是否存在住危房现象。",
                            rectification_measure="11月30日前完成改造。"),
        case_number="QS-2026-0042", title="王某某户住房墙体开裂", description="房屋东侧墙体有明显裂缝。",
        village="青山村", household_name="王某某", unit_name="青山村村民委员会", assignee_name="李四",
        deadline=date(2026, 11, 30), completed_at=timeline[-1].at, late=False, timeline=timeline,
        evidence=tuple(evidence), verified_by_name="王五", closing_seq=5,
        closing_hash=hashlib.sha256(b"closing").hexdigest(),
    )


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed_pdf(content: PackContent, font: Path) -> tuple[float, float, bytes]:
    """Wall seconds, CPU seconds (all threads) and the PDF."""
    out = BytesIO()
    cpu, started = _cpu_seconds(), time.perf_counter()
    render_pdf(content, out, font_path=font)
    return time.perf_counter() - started, _cpu_seconds() - cpu, out.getvalue()


def _best_of(runs: int, content: PackContent, font: Path) -> tuple[float, float]:
    timings = [_timed_pdf(content, font)[:2] for _ in range(runs)]
    return min(wall for wall, _ in timings), min(cpu for _, cpu in timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--keep", type=Path, default=Path("/tmp/casework-bench-pack"),
                        help="folder for pack.pdf and pack.zip")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        make_photos(args.photos)
        return

    subprocess.run([sys.executable, __file__, "--generate", "--photos", str(args.photos)], check=True)
    content = build_content(args.photos)
    sizes = [entry.size / 1e6 for entry in content.evidence]
    print(f"{len(sizes)} photos {SIZE[0]}×{SIZE[1]}, {min(sizes):.1f}–{max(sizes):.1f} MB each, "
          f"{sum(sizes):.0f} MB in all; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    font = find_font(None)
    baseline = _maxrss_mib()

    cold, cold_cpu, first = _timed_pdf(content, font)
    after_pdf = _maxrss_mib()
    print(f"PDF, first in the process (font registration included): {cold:.2f} s wall, {cold_cpu:.2f} s CPU")
    wall, cpu = _best_of(args.runs, content, font)
    _, _, again = _timed_pdf(content, font)
    print(f"PDF, best of {args.runs}: {wall:.2f} s wall, {cpu:.2f} s CPU; {len(first) / 1e6:.1f} MB, "
          f"{'byte-identical' if again == first else 'DIFFERENT'} run to run")
    threads = pdf.THUMBNAIL_THREADS
    pdf.THUMBNAIL_THREADS = 1
    wall, cpu = _best_of(args.runs, content, font)
    pdf.THUMBNAIL_THREADS = threads
    print(f"PDF, thumbnails on one thread instead of {threads}: {wall:.2f} s wall, {cpu:.2f} s CPU")

    args.keep.mkdir(parents=True, exist_ok=True)
    pdf_path, zip_path = args.keep / "pack.pdf", args.keep / "pack.zip"
    pdf_path.write_bytes(first)
    started = time.perf_counter()
    with zip_path.open("wb") as out:
        write_zip(content, pdf_path, out)
    zip_time = time.perf_counter() - started
    after_zip = _maxrss_mib()
    print(f"ZIP: {zip_time:.2f} s, {zip_path.stat().st_size / 1e6:.0f} MB ({zip_path})")
    print(f"peak RSS: {baseline:.0f} MiB before, {after_pdf:.0f} MiB after the first PDF, "
          f"{after_zip:.0f} MiB after all the PDFs and the ZIP")

    # Traced apart from the timings: tracemalloc slows every Python allocation many times over.
    tracemalloc.start()
    _timed_pdf(content, font)
    pdf_traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    with zip_path.open("wb") as out:
        write_zip(content, pdf_path, out)
    zip_traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"Python allocations (tracemalloc; Pillow's pixel buffers are not counted): "
          f"{pdf_traced / 2**20:.1f} MiB at the PDF's peak, {zip_traced / 2**20:.1f} MiB at the ZIP's")


if __name__ == "__main__":
    main()
