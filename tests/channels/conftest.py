"""Real servers for the channels to send to, started by the tests: an HTTP receiver standing in for
DingTalk, WeCom and the county's systems (it records every request and answers as scripted), and
an SMTP server (aiosmtpd) with STARTTLS, TLS and login, on a certificate made here and trusted
through CASEWORK_SMTP_CA_FILE."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from casework import personal_data
from casework.channels import service
from casework.config import SmtpSettings
from casework.db import utcnow

from tests.factories import Factory

BASE_URL = "https://casework.example.gov.cn"
OK = (200, {"errcode": 0, "errmsg": "ok"})
MAIL_USER, MAIL_PASSWORD = "casework", "Mail-Pa55word"


@dataclass
class Received:
    path: str
    query: dict[str, str]
    raw_query: str
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """A local HTTP server: `url(path)`, what it got, and what it answers next (`script`)."""

    port: int
    got: list[Received] = field(default_factory=list)
    script: list[tuple[int, object]] = field(default_factory=list)
    otherwise: tuple[int, object] = OK
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self) -> tuple[int, object]:
        with self.lock:
            return self.script.pop(0) if self.script else self.otherwise


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            parts = urlsplit(self.path)
            with receiver.lock:
                receiver.got.append(Received(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()},
                                             parts.query, dict(self.headers.items()), body))
            status, answer = receiver.answer()
            data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(status)
            if status in (301, 302, 307):
                self.send_header("Location", receiver.url("/elsewhere"))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    made = Receiver(server.server_address[1])
    server.RequestHandlerClass = _handler(made)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield made
    server.shutdown()
    server.server_close()


# --- SMTP -----------------------------------------------------------------------------------

@dataclass
class Mailbox:
    """What the SMTP server received: envelopes, parsed."""

    messages: list = field(default_factory=list)
    refuse: list[str] = field(default_factory=list)  # replies to RCPT TO, one per message, e.g. "550 …"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if self.refuse:
            return self.refuse.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append({"from": envelope.mail_from, "to": envelope.rcpt_tos, "raw": envelope.content,
                              "mail": message_from_bytes(envelope.content, policy=policy.default),
                              "authenticated": session.authenticated})
        return "250 Message accepted"


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (the CA file the client is told to trust)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp.crt", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == \
        (MAIL_USER.encode(), MAIL_PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # unhandled: aiosmtpd answers 535 itself


@pytest.fixture
def mail_server(tmp_path):
    """`mail_server("starttls" | "ssl" | "none")` → (SmtpSettings for it, its Mailbox)."""
    import ssl

    from tests.serving.conftest import free_port

    cert, key = _certificate(tmp_path)
    started = []

    def start(security: str = "none", *, login: bool = False):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        mailbox, port = Mailbox(), free_port()
        options = {"authenticator": _authenticate, "auth_required": login} if login else {}
        if security == "starttls":
            options |= {"tls_context": context, "require_starttls": True}
        elif security == "ssl" and login:
            # aiosmtpd counts only STARTTLS as TLS when offering AUTH; this connection is TLS from its first
            # byte. (Requiring AUTH too would only add its warning: the test checks the client logged in.)
            options |= {"auth_require_tls": False, "auth_required": False}
        controller = Controller(mailbox, hostname="127.0.0.1", port=port,
                                ssl_context=context if security == "ssl" else None, **options)
        controller.start()
        started.append(controller)
        settings = SmtpSettings(host="127.0.0.1", port=port, security=security, sender="casework@example.gov.cn",
                                username=MAIL_USER if login else None, password=MAIL_PASSWORD if login else None,
                                ca_file=cert)
        return settings, mailbox

    yield start
    for controller in started:
        controller.stop()


# --- the install ----------------------------------------------------------------------------

@pytest.fixture
def configured(runtime):
    """The runtime with a base URL, and local servers allowed as targets."""
    runtime.settings = runtime.settings.with_(base_url=BASE_URL, channels_private=True)
    return runtime


def add_channel(runtime, kind: str, target: str, *, unit: str | None = None, user_id: int | None = None,
                secret: str | None = None, name: str | None = None) -> int:
    """A channel made as an operator would (no scope to pass)."""
    with runtime.transaction() as session:
        unit_id = Factory(session).unit(unit).id if unit else None
        return service.create(session=session, key=personal_data.load(runtime.settings.data_key_path), actor=None,
                              kind=kind, target=target, unit_id=unit_id, user_id=user_id, secret=secret, name=name,
                              private_ok=True).id


def work(runtime, *, later: dt.timedelta | None = None) -> None:
    """Run every job there is, and the jobs they add, in this process; `later`: first wake the
    deliveries that wait until then (a retry's backoff, a turn under the rate)."""
    if later is not None:
        from casework.channels.delivery import wake_due

        with runtime.transaction() as session:
            wake_due(session=session, now=utcnow() + later)
    from sqlalchemy import func, select

    from casework.outbox.models import OutboxMessage
    from casework.outbox.service import MAX_LOCAL_ATTEMPTS

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        runtime.jobs.run_pending()
        with runtime.sessions() as session:
            left = session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.done_at.is_(None), OutboxMessage.attempts < MAX_LOCAL_ATTEMPTS))
        if not left:
            return
        time.sleep(0.05)  # a job another thread of this process runs (a commit's kick) is finishing
    raise AssertionError("jobs kept adding jobs")



SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def local(text: str) -> dt.datetime:
    """A Shanghai wall-clock time, as the sweep is given it."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def sweep_at(runtime, when: str) -> None:
    from casework.notifications import sweep

    sweep.sweep(runtime=runtime, payload={"now": local(when).isoformat()})


@pytest.fixture
def village(configured):
    """Village T-V1 with two clerks (one with a mobile), its leader, the township leader; and a
    started case due 2030-11-30 assigned to the first clerk."""
    from casework.users import service as users

    with configured.transaction() as session:
        make = Factory(session)
        people = {"clerk": make.user("unit", "village", username="clerk"),
                  "clerk2": make.user("unit", "village", username="clerk2"),
                  "vleader": make.user("leader", "village", username="vleader"),
                  "leader": make.user("leader", "township", username="leader")}
        users.set_mobile(session=session, user=people["clerk"], mobile="138 0013 8000")
        users.set_mobile(session=session, user=people["vleader"], mobile="13900139000")
        case = make.case("village", by=people["leader"], deadline="2030-11-30", title="3户危房改造资料缺失",
                         village="青山村")
        case = make.fire(case, "assign", people["leader"], assignee_id=people["clerk"].id)
        case = make.fire(case, "start", people["clerk"])
        found = {"case": case.id, "number": case.number, "campaign": case.campaign_id,
                 **{name: user.id for name, user in people.items()}}
    work(configured)  # the assignment's own notices, before the test's channels exist
    return found


def open_case(runtime, village: dict, *, title: str, days_late: int, where: str = "village",
              assignee: str | None = None) -> int:
    """Another case of the village's campaign, its deadline `days_late` days before today."""
    from casework.campaigns.models import Campaign
    from casework.users.models import User

    with runtime.transaction() as session:
        make = Factory(session)
        make._campaign = session.get(Campaign, village["campaign"])
        leader = session.get(User, village["leader"])
        deadline = (dt.datetime.now(SHANGHAI).date() - dt.timedelta(days=days_late)).isoformat()
        case = make.case(where, by=leader, deadline=deadline, title=title)
        if assignee:
            case = make.fire(case, "assign", leader, assignee_id=village[assignee])
        return case.id


def sweep_now(runtime) -> None:
    from casework.notifications import sweep

    sweep.sweep(runtime=runtime, payload={"now": utcnow().isoformat()})
