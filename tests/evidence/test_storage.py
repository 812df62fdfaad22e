"""Evidence bytes stored by their hash: kept once, never half-written, never under a wrong name,
on a local folder and on S3 (moto's server standing in for the bucket)."""

from __future__ import annotations

import errno
import hashlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from casework.evidence import storage
from casework.evidence.storage import (
    HashMismatch, InvalidHash, LocalStorage, MissingObject, S3Storage, storage_from_settings,
)


def evidence_file(tmp_path: Path, size: int = 300_000, name: str = "upload") -> tuple[Path, str]:
    data = os.urandom(size)
    path = tmp_path / name
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def names_under(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def test_a_stored_file_reads_back_the_same(tmp_path):
    source, sha = evidence_file(tmp_path)
    store = LocalStorage(tmp_path / "store")
    assert not store.exists(sha)
    store.put(source=source, sha256=sha)
    assert store.exists(sha)
    assert store.size(sha) == source.stat().st_size
    with store.open(sha) as stream:
        assert stream.read() == source.read_bytes()
    assert store.path(sha) == tmp_path / "store" / sha[:2] / sha[2:4] / sha


def test_the_same_bytes_are_stored_once(tmp_path):
    source, sha = evidence_file(tmp_path)
    store = LocalStorage(tmp_path / "store")
    store.put(source=source, sha256=sha)
    stored_at = store.path(sha).stat().st_mtime_ns
    again, _ = evidence_file(tmp_path, name="again")
    again.write_bytes(source.read_bytes())
    store.put(source=again, sha256=sha)
    assert store.path(sha).stat().st_mtime_ns == stored_at
    assert names_under(tmp_path / "store") == [sha]


def test_small_generated_files_are_stored_by_their_hash(tmp_path):
    store = LocalStorage(tmp_path / "store")
    sha = store.put_bytes(data=b"thumbnail bytes")
    assert sha == hashlib.sha256(b"thumbnail bytes").hexdigest()
    assert store.put_bytes(data=b"thumbnail bytes") == sha
    with store.open(sha) as stream:
        assert stream.read() == b"thumbnail bytes"


def test_bytes_offered_under_another_hash_are_not_stored(tmp_path):
    source, _ = evidence_file(tmp_path)
    wrong = hashlib.sha256(b"something else").hexdigest()
    store = LocalStorage(tmp_path / "store")
    with pytest.raises(HashMismatch):
        store.put(source=source, sha256=wrong)
    assert not store.exists(wrong)
    assert names_under(tmp_path / "store") == []


def test_a_copy_that_fails_halfway_leaves_nothing_behind(tmp_path, monkeypatch):
    source, sha = evidence_file(tmp_path, size=3 * 1024 * 1024)

    def disk_fills_up(src):
        yield src.read(1024 * 1024)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "_chunks", disk_fills_up)
    store = LocalStorage(tmp_path / "store")
    with pytest.raises(OSError, match="No space left"):
        store.put(source=source, sha256=sha)
    assert not store.exists(sha)
    assert names_under(tmp_path / "store") == []


def test_a_flush_that_fails_leaves_nothing_behind(tmp_path, monkeypatch):
    source, sha = evidence_file(tmp_path)

    def flush_fails(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", flush_fails)
    store = LocalStorage(tmp_path / "store")
    with pytest.raises(OSError, match="Input/output"):
        store.put(source=source, sha256=sha)
    assert names_under(tmp_path / "store") == []


@pytest.mark.parametrize("name", [
    "../x", "../../etc/passwd", "ab/../../cd", "A" * 64, "0" * 63, "0" * 65, "0" * 63 + "/", "",
    "0" * 64 + "\n",
])
def test_only_sha256_hex_ever_names_an_object(tmp_path, name):
    source, _ = evidence_file(tmp_path, size=10)
    store = LocalStorage(tmp_path / "store")
    for action in (lambda: store.put(source=source, sha256=name), lambda: store.open(name),
                   lambda: store.exists(name), lambda: store.size(name)):
        with pytest.raises(InvalidHash):
            action()
    assert not (tmp_path / "store").exists()


def test_a_missing_object_is_said_so(tmp_path):
    store = LocalStorage(tmp_path / "store")
    with pytest.raises(MissingObject):
        store.open("0" * 64)
    with pytest.raises(MissingObject):
        store.size("0" * 64)


def test_settings_choose_the_store(tmp_path):
    assert isinstance(storage_from_settings(kind="local", local_root=tmp_path), LocalStorage)
    s3 = storage_from_settings(kind="s3", local_root=tmp_path, s3_bucket="evidence", s3_prefix="/town/")
    assert isinstance(s3, S3Storage)
    assert s3.key("0" * 64) == "town/" + "0" * 64
    with pytest.raises(ValueError, match="bucket"):
        storage_from_settings(kind="s3", local_root=tmp_path)
    with pytest.raises(ValueError, match="unknown storage kind"):
        storage_from_settings(kind="ftp", local_root=tmp_path)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_answering(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"moto_server exited with {server.returncode}:\n{log.read_text()}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answered, if not with 200
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"moto_server did not answer within 30 s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """moto's S3 on a free loopback port for this module, with fake credentials in the environment."""
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        # Nothing from the machine's own AWS set-up or proxies may reach the test.
        env.setenv("AWS_CONFIG_FILE", os.devnull)
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        env.delenv("AWS_PROFILE", raising=False)
        env.delenv("AWS_SESSION_TOKEN", raising=False)
        env.setenv("NO_PROXY", "127.0.0.1,localhost")
        env.setenv("no_proxy", "127.0.0.1,localhost")
        with log.open("wb") as out:
            command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
            server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_answering(url, server, log)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture
def bucket(s3_endpoint, request) -> S3Storage:
    name = "evidence-" + request.node.name.replace("_", "-")[:40].lower().strip("-")
    store = S3Storage(bucket=name, endpoint_url=s3_endpoint, region="us-east-1", prefix="casework/")
    store._client.create_bucket(Bucket=name)
    return store


def test_s3_keeps_a_5_mb_photo_and_streams_it_back(tmp_path, bucket):
    source, sha = evidence_file(tmp_path, size=5 * 1024 * 1024)
    assert not bucket.exists(sha)
    bucket.put(source=source, sha256=sha)
    assert bucket.exists(sha)
    assert bucket.size(sha) == 5 * 1024 * 1024
    stream = bucket.open(sha)
    digest = hashlib.sha256()
    while chunk := stream.read(256 * 1024):
        digest.update(chunk)
    stream.close()
    assert digest.hexdigest() == sha
    listed = bucket._client.list_objects_v2(Bucket=bucket.bucket)["Contents"]
    assert [item["Key"] for item in listed] == [f"casework/{sha}"]


def test_s3_large_uploads_go_in_parts_and_arrive_whole(tmp_path, bucket):
    source, sha = evidence_file(tmp_path, size=12 * 1024 * 1024)
    bucket.put(source=source, sha256=sha)
    assert bucket.size(sha) == 12 * 1024 * 1024
    with bucket.open(sha) as stream:
        assert hashlib.sha256(stream.read()).hexdigest() == sha


def test_s3_stores_the_same_bytes_once_and_refuses_a_wrong_name(tmp_path, bucket):
    source, sha = evidence_file(tmp_path)
    uploads = []
    bucket._client.meta.events.register("before-call.s3.PutObject", lambda **_: uploads.append(1))
    bucket.put(source=source, sha256=sha)
    bucket.put(source=source, sha256=sha)
    assert len(uploads) == 1
    wrong = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(HashMismatch):
        bucket.put(source=source, sha256=wrong)
    assert not bucket.exists(wrong)
    assert bucket.put_bytes(data=b"pack") == hashlib.sha256(b"pack").hexdigest()


def test_s3_says_when_an_object_is_missing(bucket):
    with pytest.raises(MissingObject):
        bucket.open("0" * 64)
    with pytest.raises(MissingObject):
        bucket.size("0" * 64)
    with pytest.raises(InvalidHash):
        bucket.exists("../x")
