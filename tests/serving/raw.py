"""Sending raw HTTP/1.1 and reading the answer: what the test client cannot send (chunked bodies
written as they go, request lines longer than any client would make)."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


def _read_answer(sock: socket.socket) -> Answer:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    if "content-length" in headers:
        length = int(headers["content-length"])
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while not body.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        body = _dechunk(body)
    else:
        while chunk := sock.recv(65536):
            body += chunk
    return Answer(status, headers, body)


def _dechunk(raw: bytes) -> bytes:
    out, rest = b"", raw
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, rest = out + rest[:size], rest[size + 2:]
    return out


def send(address: str, request: bytes, *, body_chunks=(), timeout: float = 30) -> Answer:
    """Send `request` (head and any body), then each of `body_chunks` as it comes; read the answer."""
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the whole body went: read what it said
        return _read_answer(sock)


def chunked(parts, size: int = 65536):
    """A body in HTTP/1.1 chunked encoding, one chunk per `size` bytes of each part."""
    for part in parts:
        for start in range(0, len(part), size):
            piece = part[start:start + size]
            yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    yield b"0\r\n\r\n"


def sign_in(address: str, username: str = "leader", password: str = "Casework-2026") -> str:
    body = json.dumps({"username": username, "password": password}).encode()
    answer = send(address, b"POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    assert answer.status == 200, answer.body
    return answer.json()["token"]
