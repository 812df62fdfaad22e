"""Personal data at rest: encrypted with AES-GCM, found again through a keyed hash (a blind index).

The key is a file outside the database (`<instance>/data_key`, 32 random bytes, made on first use
readable by its owner only; `CASEWORK_DATA_KEY` puts it elsewhere), so a copy of the database alone
reads as noise. Two keys are derived from the file with HKDF, one to encrypt and one for the blind
index, so neither use weakens the other. Someone who can read the database but not the key file
cannot test guesses against the index either: it is an HMAC, not a plain hash.

Losing the file loses every encrypted value: back it up, apart from the database's backups.

    key = load(settings.data_key_path)
    token = key.encrypt("430124199001011234", context="household.id_number")
    key.decrypt(token, context="household.id_number")
    key.blind_index("id_number", "430124199001011234")   # the same value gives the same index
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import threading
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
# The first byte of every token: a later scheme (another cipher, a rotated key) gets another.
VERSION = b"\x01"


class KeyProblem(Exception):
    """The key file is missing (and is not to be made now) or is not a key."""


class Undecryptable(Exception):
    """A token that this key did not make, or that was altered: the key file was swapped or lost."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"casework " + purpose).derive(master)


class DataKey:
    """What one key file can do: encrypt and decrypt text, and index values for exact search."""

    def __init__(self, master: bytes) -> None:
        if len(master) != KEY_BYTES:
            raise KeyProblem(f"a data key is {KEY_BYTES} bytes, not {len(master)}")
        self._cipher = AESGCM(_derive(master, b"encryption"))
        self._index_key = _derive(master, b"blind index")

    def encrypt(self, text: str, *, context: str = "") -> str:
        """`text` encrypted under a fresh random nonce, as base64 text.

        `context` (e.g. "household.phone") is authenticated with it, so a token copied into
        another column does not decrypt there.
        """
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._cipher.encrypt(nonce, text.encode("utf-8"), context.encode("utf-8"))
        return base64.b64encode(VERSION + nonce + sealed).decode("ascii")

    def decrypt(self, token: str, *, context: str = "") -> str:
        """The text `encrypt` was given; Undecryptable for anything this key did not make."""
        try:
            raw = base64.b64decode(token.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError) as exc:
            raise Undecryptable("not a data token") from exc
        if raw[:1] != VERSION or len(raw) < 1 + NONCE_BYTES + 16:
            raise Undecryptable("not a data token")
        try:
            plain = self._cipher.decrypt(raw[1:1 + NONCE_BYTES], raw[1 + NONCE_BYTES:], context.encode("utf-8"))
        except InvalidTag as exc:
            raise Undecryptable("the data key does not open this value (was the key file replaced?)") from exc
        return plain.decode("utf-8")

    def blind_index(self, kind: str, value: str) -> str:
        """A keyed hash of `value` (already in its one normal form) for exact search; `kind`
        separates the indexes, so an ID number and a phone never share an index value."""
        message = kind.encode("utf-8") + b"\x00" + value.encode("utf-8")
        return hmac.new(self._index_key, message, hashlib.sha256).hexdigest()


def _make(path: Path) -> None:
    # Written in full under a temporary name, then linked into place: a process starting at the
    # same moment reads either no file or the whole key, never half of one.
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:  # another process made it a moment ago: theirs is the key
            pass
    finally:
        temporary.unlink(missing_ok=True)


_loaded: dict[str, tuple[float, int, DataKey]] = {}
_lock = threading.Lock()


def load(path: Path, *, create: bool = True) -> DataKey:
    """The key in `path`, made there first (mode 600) when it is missing and `create`.

    Read once per process and file (again only if the file changes).
    """
    path = Path(path)
    if not path.exists():
        if not create:
            raise KeyProblem(f"no data key at {path}")
        _make(path)
    stat = path.stat()
    with _lock:
        known = _loaded.get(str(path))
        if known and known[:2] == (stat.st_mtime, stat.st_size):
            return known[2]
        key = DataKey(path.read_bytes())
        _loaded[str(path)] = (stat.st_mtime, stat.st_size, key)
        return key
