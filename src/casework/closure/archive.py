"""The closure pack's ZIP: the PDF, the evidence files under readable names, and manifest.json.

The manifest lists every member's SHA-256 and size, so anyone can check the pack with standard
tools (`sha256sum`) and without Casework. Files are copied in chunks from their streams, so a
case with hundreds of megabytes of photos never sits in memory, and every entry carries fixed
dates and attributes, so the same case always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import BinaryIO

from casework.closure.content import TITLE, EvidenceEntry, PackContent

CHUNK = 1024 * 1024
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "casework-closure-pack/1"
PDF_KIND = TITLE
MANIFEST_NOTE = (
    "files 列出本压缩包内每个文件的 SHA-256 与字节数，可用 sha256sum 等通用工具核对；"
    "withdrawn 列出已撤回、不作为销号依据的资料，只记哈希，文件未收入本压缩包。"
)
# Names must survive extraction on Windows too, where these characters cannot be in a file name.
_UNSAFE_CHARACTERS = re.compile(r'[/\\:*?"<>|]')
_MAX_NAME_BYTES = 180  # file systems allow 255 bytes; leave room for the number and a copy suffix
# Photos, PDFs and office files are compressed already: deflating them again only costs time.
_COMPRESSIBLE_TYPES = frozenset({
    "application/json", "application/xml", "application/msword", "application/vnd.ms-excel",
    "image/bmp", "image/tiff", "image/svg+xml",
})
_FILE_MODE = 0o100644 << 16  # a regular file, rw-r--r--
_UNIX = 3


class EvidenceMismatch(Exception):
    """A stored file's bytes do not match the SHA-256 or size recorded when it was uploaded."""


def write_zip(content: PackContent, pdf_path: Path, out: BinaryIO) -> None:
    """Write the closure pack's ZIP to `out`; raise EvidenceMismatch if a stored file has changed.

    On EvidenceMismatch `out` holds a partial archive: the caller discards it.
    """
    # Withdrawn evidence is listed in manifest.json (and in the PDF) with its hash, but its bytes
    # are left out. The pack is the evidence the case was closed on: a withdrawn file was not
    # part of what the verifier accepted, and packed beside the rest it would read as if it were
    # (a photo withdrawn as reused from another case would be counted again). Files are often
    # withdrawn because they were wrong (another household's paper, a personal document), and a
    # pack is kept and handed around for years. The hash pins exactly which file it was, and the
    # evidence store, which keeps files by their hash, can produce it for an auditor who asks.
    date_time = content.local(content.completed_at).timetuple()[:6]
    files = []
    with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
        pdf_member = pdf_member_name(content.case_number)
        with pdf_path.open("rb") as source:
            digest, size = _copy(archive, _info(pdf_member, date_time, "application/pdf", pdf_path.stat().st_size),
                                 source)
        files.append({"member": pdf_member, "sha256": digest, "size": size, "kind": PDF_KIND})

        for entry in content.evidence:
            if entry.withdrawn:
                continue
            member = member_name(entry)
            with entry.open_file() as source:
                digest, size = _copy(archive, _info(member, date_time, entry.content_type, entry.size), source)
            if digest != entry.sha256 or size != entry.size:
                raise EvidenceMismatch(
                    f"evidence {entry.number} ({entry.filename}) of {content.case_number}: stored bytes have "
                    f"SHA-256 {digest} and {size} bytes, recorded {entry.sha256} and {entry.size} bytes"
                )
            files.append({"member": member, "sha256": digest, "size": size, "kind": entry.kind_label,
                          "number": entry.number, "filename": entry.filename, "content_type": entry.content_type})

        manifest = _manifest(content, files)
        archive.writestr(_info(MANIFEST_NAME, date_time, "application/json", len(manifest)), manifest)


def member_name(entry: EvidenceEntry) -> str:
    """01-整改前照片.jpg: the evidence number, then the name it was uploaded under, made safe."""
    return f"{entry.label}-{safe_name(entry.filename)}"


def pdf_member_name(case_number: str) -> str:
    return f"00-{TITLE}-{safe_name(case_number)}.pdf"


def safe_name(name: str) -> str:
    """A file name that stays one file name wherever the ZIP is unpacked (Chinese kept).

    No path separators, no `..`, no control or invisible formatting characters (a right-to-left
    override can disguise `gpj.exe` as `exe.jpg`), no characters Windows refuses, no leading dot.
    """
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    name = _UNSAFE_CHARACTERS.sub("_", name)
    name = re.sub(r"\.{2,}", ".", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    name = _shorten(name, _MAX_NAME_BYTES)
    return name or "文件"


def _shorten(name: str, limit: int) -> str:
    if len(name.encode()) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    budget = limit - len(suffix.encode())
    while len(stem.encode()) > budget:
        stem = stem[:-1]
    return stem.rstrip(" .") + suffix


def _info(member: str, date_time: tuple[int, ...], content_type: str, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(member, date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED if _compressible(content_type) else zipfile.ZIP_STORED
    info.external_attr = _FILE_MODE
    info.create_system = _UNIX
    # A size known beforehand lets zipfile choose ZIP64 for files over 2 GiB before writing them.
    info.file_size = size
    return info


def _compressible(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type.startswith("text/") or media_type in _COMPRESSIBLE_TYPES


def _copy(archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: BinaryIO) -> tuple[str, int]:
    """Copy `source` into the archive in chunks; return the SHA-256 and size of what was copied."""
    digest = hashlib.sha256()
    size = 0
    with archive.open(info, "w") as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return digest.hexdigest(), size


def _manifest(content: PackContent, files: list[dict]) -> bytes:
    withdrawn = [
        {"number": entry.number, "filename": entry.filename, "sha256": entry.sha256, "size": entry.size,
         "kind": entry.kind_label}
        for entry in content.evidence if entry.withdrawn
    ]
    document = {
        "format": MANIFEST_FORMAT,
        "case_number": content.case_number,
        "completed_at": content.local(content.completed_at).isoformat(),
        "closing_seq": content.closing_seq,
        "closing_hash": content.closing_hash,
        "hash_algorithm": "sha256",
        "note": MANIFEST_NOTE,
        "files": files,
        "withdrawn": withdrawn,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
