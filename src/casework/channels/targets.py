"""What a channel sends to: an e-mail address or an http(s) URL, checked, and shown with its key hidden.

A robot's URL is its key (anyone holding `…/robot/send?access_token=…` can post to the group), so
targets are stored encrypted like secrets, and lists show them with every query value masked.
Channels post from the server, so an admin could point one at the server's own network; unless the
install allows it (CASEWORK_CHANNELS_PRIVATE=1, for a county's own systems), loopback, private and
link-local addresses are refused — named literally when the channel is saved, and as resolved by
DNS when it is sent to.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from casework.channels.kinds import ChannelKind
from casework.errors import Unprocessable

TARGET_MAX = 2000
DINGTALK_SEND = "https://oapi.dingtalk.com/robot/send?access_token="
WECOM_SEND = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key="
# One plain address: no display name, no second recipient, nothing a header could be folded on.
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$")
# What the robots' consoles hand out: a DingTalk access token, a WeCom key.
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _refuse(reason: str, **details) -> Unprocessable:
    return Unprocessable("invalid_field", field="target", reason_code=reason, **details)


def _is_private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
            or address.is_reserved or address.is_unspecified)


def _literal(host: str):
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def names_private_host(host: str) -> bool:
    """Whether the host, as written, is this machine or a private network (no DNS asked)."""
    host = host.lower().rstrip(".")
    literal = _literal(host)
    return host in _LOCAL_NAMES or host.endswith(".localhost") or (literal is not None and _is_private(literal))


def resolves_private(host: str) -> bool:
    """Whether any address DNS gives for the host is loopback, private or link-local."""
    if names_private_host(host):
        return True
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return False  # it will not connect either; the send says why
    return any(_is_private(ipaddress.ip_address(info[4][0].split("%")[0])) for info in found)


def _url(text: str, *, private_ok: bool) -> str:
    if len(text) > TARGET_MAX:
        raise _refuse("text_too_long", max=TARGET_MAX)
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise _refuse("target_url_invalid")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise _refuse("target_url_invalid") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        raise _refuse("target_url_invalid")
    if not private_ok and names_private_host(parts.hostname):
        raise _refuse("target_private")
    return text


def normalise(kind: str, target: str, *, private_ok: bool = False) -> str:
    """The target in the form it is sent to; a 422 naming `target` when it cannot be."""
    text = target.strip()
    if kind == ChannelKind.EMAIL:
        if len(text) > 254 or not _ADDRESS.match(text):
            raise _refuse("target_email_invalid")
        return text
    if kind == ChannelKind.DINGTALK and _BARE_KEY.match(text):
        return DINGTALK_SEND + text
    if kind == ChannelKind.WECOM and _BARE_KEY.match(text):
        return WECOM_SEND + text
    return _url(text, private_ok=private_ok)


def _mask(value: str) -> str:
    return "…" + value[-4:] if len(value) > 8 else "…"


def shown(kind: str, target: str) -> str:
    """The target as lists show it: an address in full; a URL with its password, every query value
    and any key-like path segment cut to their last four characters (enough to tell two robots apart)."""
    if kind == ChannelKind.EMAIL:
        return target
    parts = urlsplit(target)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    if parts.username:
        netloc = f"{parts.username}:…@{netloc}" if parts.password else f"{parts.username}@{netloc}"
    query = "&".join(f"{quote(name)}={_mask(value)}" for name, value in parse_qsl(parts.query, keep_blank_values=True))
    # A long token-like path segment is a key too (`/hook/<token>`, as some systems issue them).
    path = "/".join(_mask(part) if _BARE_KEY.match(part) else part for part in parts.path.split("/"))
    return urlunsplit((parts.scheme, netloc, path, query, ""))[:400]


def host_of(target: str) -> str:
    return urlsplit(target).hostname or ""
