"""Settings, read once from the environment.

| variable | default |
| --- | --- |
| CASEWORK_INSTANCE_DIR | ~/.local/share/casework (XDG_DATA_HOME honoured) |
| CASEWORK_DATABASE_URL | sqlite:///<instance>/casework.db |
| CASEWORK_REDIS_URL | unset: jobs run in-process after commit |
| CASEWORK_STORAGE_DIR | <instance>/evidence |
| CASEWORK_SECRET_KEY | generated once and kept in <instance>/secret_key |
| CASEWORK_WORKFLOWS_DIR | the shipped workflows/ folder |
| CASEWORK_TIMEZONE | Asia/Shanghai |
| CASEWORK_TOKEN_TTL | 43200 (seconds) |
| CASEWORK_MAX_UPLOAD_MB | 25 (one evidence file) |
| CASEWORK_PASSWORD_MIN_LENGTH, CASEWORK_PASSWORD_CLASSES | 10 characters, 3 of 4 classes |
| CASEWORK_TRUSTED_PROXIES | 0: the client's address is the connection's |
| CASEWORK_JOBS | auto: on RQ with CASEWORK_REDIS_URL, else in-process; manual: only when asked (tests) |
| CASEWORK_CHECKPOINT_KEY | <instance>/checkpoint_key.pem |
| CASEWORK_DATA_KEY | <instance>/data_key: encrypts ID numbers and phones (32 bytes, made on first use) |
| CASEWORK_SWEEP_SECONDS | 60: how often reminders and escalations are looked for |
| CASEWORK_MAX_CASE_EVIDENCE_MB | 500 (all of one case's evidence) |
| CASEWORK_DAILY_REPORT_HOUR | 7: when (local time) leaders are told the daily report is ready |
| CASEWORK_PDF_FONT | /usr/share/fonts/truetype/wqy/wqy-microhei.ttc (Debian's fonts-wqy-microhei) |
| CASEWORK_STORAGE | local (CASEWORK_STORAGE_DIR); s3: CASEWORK_S3_BUCKET, _ENDPOINT, _REGION, _ACCESS_KEY, _SECRET_KEY, _PREFIX |
| CASEWORK_BASE_URL | http://127.0.0.1:8000: the address people open, for links in e-mails and robot messages |
| CASEWORK_SMTP_HOST, _PORT, _SECURITY, _USERNAME, _PASSWORD, _FROM, _CA_FILE | unset: no e-mail; port 587 with starttls (465 with ssl, 25 with none) |
| CASEWORK_CHANNELS_PRIVATE | 0: channels may not post to loopback, private or link-local addresses (1 allows it) |
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from casework.paths import workflows_dir
from casework.users.password_rules import DEFAULT_POLICY, PasswordPolicy


def _default_instance_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "casework"


def _secret_key(instance_dir: Path) -> str:
    # Never a shipped default: each instance makes its own and keeps it, readable by its owner only.
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SMTP_SECURITY = ("starttls", "ssl", "none")
_SMTP_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class SmtpSettings:
    """The mail server e-mail channels send through (the password is never printed)."""

    host: str
    sender: str
    port: int = 587
    security: str = "starttls"  # starttls, ssl (TLS from the first byte) or none
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    # A CA bundle to trust besides the system's (a county mail server with its own CA).
    ca_file: Path | None = None

    @classmethod
    def from_env(cls, env: dict[str, str]) -> "SmtpSettings | None":
        host = env.get("CASEWORK_SMTP_HOST")
        if not host:
            return None
        security = (env.get("CASEWORK_SMTP_SECURITY") or "starttls").lower()
        if security not in SMTP_SECURITY:
            raise ValueError(f"CASEWORK_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}, not {security!r}")
        return cls(host=host, sender=env.get("CASEWORK_SMTP_FROM") or f"casework@{host}",
                   port=int(env.get("CASEWORK_SMTP_PORT") or _SMTP_PORTS[security]), security=security,
                   username=env.get("CASEWORK_SMTP_USERNAME") or None,
                   password=env.get("CASEWORK_SMTP_PASSWORD") or None,
                   ca_file=Path(env["CASEWORK_SMTP_CA_FILE"]) if env.get("CASEWORK_SMTP_CA_FILE") else None)


@dataclass(frozen=True)
class Settings:
    instance_dir: Path
    database_url: str
    redis_url: str | None
    storage_dir: Path
    secret_key: str
    workflows_dir: Path
    timezone: str = "Asia/Shanghai"
    token_ttl: int = 12 * 3600
    max_upload_bytes: int = 25 * 1024 * 1024
    password_policy: PasswordPolicy = DEFAULT_POLICY
    # How many reverse proxies in front set X-Forwarded-For (the access log records addresses).
    trusted_proxies: int = 0
    jobs: str = "auto"
    sweep_seconds: int = 60
    max_case_evidence_bytes: int = 500 * 1024 * 1024
    storage: str = "local"
    pdf_font: str | None = None
    daily_report_hour: int = 7
    s3: dict = field(default_factory=dict)
    checkpoint_key: Path | None = None
    data_key: Path | None = None
    base_url: str = "http://127.0.0.1:8000"
    smtp: SmtpSettings | None = None
    # Channels may post to loopback, private and link-local addresses (a county's own network).
    channels_private: bool = False

    def job_mode(self) -> str:
        """Where background jobs run: "rq", "local" (threads of this process) or "manual"."""
        if self.jobs == "manual":
            return "manual"
        return "rq" if self.redis_url else "local"

    @property
    def checkpoint_key_path(self) -> Path:
        return self.checkpoint_key or self.instance_dir / "checkpoint_key.pem"

    @property
    def data_key_path(self) -> Path:
        return self.data_key or self.instance_dir / "data_key"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        instance_dir = Path(env.get("CASEWORK_INSTANCE_DIR") or _default_instance_dir()).resolve()
        instance_dir.mkdir(parents=True, exist_ok=True)
        database_url = env.get("CASEWORK_DATABASE_URL") or f"sqlite:///{instance_dir / 'casework.db'}"
        return cls(
            instance_dir=instance_dir,
            database_url=database_url,
            redis_url=env.get("CASEWORK_REDIS_URL") or None,
            storage_dir=Path(env.get("CASEWORK_STORAGE_DIR") or instance_dir / "evidence"),
            secret_key=env.get("CASEWORK_SECRET_KEY") or _secret_key(instance_dir),
            workflows_dir=Path(env.get("CASEWORK_WORKFLOWS_DIR") or workflows_dir()),
            timezone=env.get("CASEWORK_TIMEZONE") or "Asia/Shanghai",
            token_ttl=int(env.get("CASEWORK_TOKEN_TTL") or 12 * 3600),
            max_upload_bytes=int(float(env.get("CASEWORK_MAX_UPLOAD_MB") or 25) * 1024 * 1024),
            password_policy=PasswordPolicy(
                min_length=int(env.get("CASEWORK_PASSWORD_MIN_LENGTH") or DEFAULT_POLICY.min_length),
                classes=int(env.get("CASEWORK_PASSWORD_CLASSES") or DEFAULT_POLICY.classes)),
            trusted_proxies=int(env.get("CASEWORK_TRUSTED_PROXIES") or 0),
            jobs=env.get("CASEWORK_JOBS") or "auto",
            sweep_seconds=int(env.get("CASEWORK_SWEEP_SECONDS") or 60),
            max_case_evidence_bytes=int(float(env.get("CASEWORK_MAX_CASE_EVIDENCE_MB") or 500) * 1024 * 1024),
            storage=env.get("CASEWORK_STORAGE") or "local",
            pdf_font=env.get("CASEWORK_PDF_FONT") or None,
            daily_report_hour=int(env.get("CASEWORK_DAILY_REPORT_HOUR") or 7),
            s3={key: env[f"CASEWORK_S3_{key.upper()}"] for key in ("bucket", "endpoint", "region", "access_key",
                                                                    "secret_key", "prefix")
                if env.get(f"CASEWORK_S3_{key.upper()}")},
            checkpoint_key=Path(env["CASEWORK_CHECKPOINT_KEY"]) if env.get("CASEWORK_CHECKPOINT_KEY") else None,
            data_key=Path(env["CASEWORK_DATA_KEY"]) if env.get("CASEWORK_DATA_KEY") else None,
            base_url=(env.get("CASEWORK_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
            smtp=SmtpSettings.from_env(env),
            channels_private=env.get("CASEWORK_CHANNELS_PRIVATE") == "1",
        )
