"""The checkpoint key: Ed25519, kept in a file outside the database (made on first use, mode 600).

Someone who can write to the database cannot sign: a rewritten chain with recomputed hashes still
disagrees with a checkpoint they cannot forge.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class KeyMissing(Exception):
    """The checkpoint key file is not there (and is not to be made now)."""


def load_key(path: Path, *, create: bool) -> Ed25519PrivateKey:
    """The private key in `path`; made there (readable by its owner only) when `create`."""
    if not path.exists():
        if not create:
            raise KeyMissing(str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it a moment ago: use theirs
            return load_key(path, create=False)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        return key
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """A short name for the key: the first 16 hex digits of its public key's SHA-256."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, message: str) -> str:
    return key.sign(message.encode()).hex()


def is_valid(key: Ed25519PrivateKey | Ed25519PublicKey, message: str, signature: str) -> bool:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    try:
        public.verify(bytes.fromhex(signature), message.encode())
    except (InvalidSignature, ValueError):
        return False
    return True
