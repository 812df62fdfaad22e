"""What the browser tests share: the demo served by `casework serve`, headless Chromium, axe-core,
and a few steps people take (signing in, tapping, measuring what a page weighs)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VENV_BIN = Path(sys.executable).parent
DEMO_PASSWORD = "Casework-2026"
PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CACHE = Path(__file__).resolve().parents[1] / ".cache"
AXE_VERSION = "4.14.1"
# Demo people and cases (casework/demo.py)
LEADER_NAME, CLERK_NAME = "镇党委书记 王书记", "青山村扶贫专干 赵专干"
OVERDUE_FOUND = "青山村3户危房改造资料缺失"
CLERKS_RECTIFYING = "青山村扶贫手册走访信息漏项"


def instance_env(folder: Path) -> dict[str, str]:
    return {**os.environ, "CASEWORK_INSTANCE_DIR": str(folder), "CASEWORK_DATABASE_URL": "",
            "CASEWORK_REDIS_URL": "", "CASEWORK_STORAGE_DIR": ""}


def make_demo(folder: Path) -> None:
    """An instance folder with a migrated SQLite database and the demo loaded."""
    for args in (("db", "upgrade"), ("demo",)):
        subprocess.run([str(VENV_BIN / "casework"), *args], env=instance_env(folder), check=True, capture_output=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Served:
    base: str
    folder: Path
    process: subprocess.Popen = field(repr=False)

    def url(self, path: str) -> str:
        return self.base + path

    def api(self, method: str, path: str, username: str | None = None, body: dict | None = None) -> dict:
        """The JSON API, as `username` (a bearer token each call: the tests read, they do not race)."""
        headers = {"Content-Type": "application/json"}
        if username:
            token = self.api("POST", "/api/v1/auth/token", body={"username": username, "password": DEMO_PASSWORD})
            headers["Authorization"] = f"Bearer {token['token']}"
        request = urllib.request.Request(self.base + path, method=method, headers=headers,
                                         data=json.dumps(body).encode() if body is not None else None)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def serve_copy(template: Path, folder: Path) -> Served:
    """`casework serve` over a copy of the demo instance (each test starts from the same demo)."""
    shutil.copytree(template, folder)
    port = free_port()
    process = subprocess.Popen([str(VENV_BIN / "casework"), "serve", "--port", str(port), "--threads", "6"],
                               env=instance_env(folder), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}: {process.stderr.read()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return Served(f"http://127.0.0.1:{port}", folder, process)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the server did not start listening")


def axe_script() -> Path:
    """axe-core's browser script, fetched from the npm registry once and kept under tests/.cache."""
    target = CACHE / f"axe-core-{AXE_VERSION}" / "axe.min.js"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    archive = target.parent / "axe-core.tgz"
    npm = shutil.which("npm")
    if npm:
        packed = subprocess.run([npm, "pack", f"axe-core@{AXE_VERSION}", "--silent", "--pack-destination",
                                 str(target.parent)], check=True, capture_output=True, text=True).stdout.strip()
        shutil.move(target.parent / packed.splitlines()[-1], archive)
    else:
        url = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
        with urllib.request.urlopen(url, timeout=60) as response:
            archive.write_bytes(response.read())
    with tarfile.open(archive) as tar:
        target.write_bytes(tar.extractfile("package/axe.min.js").read())
    archive.unlink()
    return target


class Taps:
    """Counts what a person taps (or clicks) on the page."""

    def __init__(self, touch: bool) -> None:
        self.touch = touch
        self.count = 0

    def __call__(self, locator) -> None:
        self.count += 1
        if self.touch:
            locator.tap()
        else:
            locator.click()


def sign_in(page, served: Served, username: str) -> None:
    page.goto(served.url("/sign-in"))
    page.fill("#f-username", username)
    page.fill("#f-password", DEMO_PASSWORD)
    page.click("form .btn-primary[type=submit]")
    page.wait_for_selector("#my-cases")


def shoot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class Transfer:
    """What the browser downloads while it is watched (CDP), by encoded (on-the-wire) bytes."""

    def __init__(self, context, page) -> None:
        self.cdp = context.new_cdp_session(page)
        self.urls: dict[str, str] = {}
        self.sizes: dict[str, int] = {}
        self.cdp.on("Network.requestWillBeSent", lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]))
        self.cdp.on("Network.loadingFinished",
                    lambda e: self.sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

    def throttle(self, *, latency_ms: int, bytes_per_second: int) -> None:
        self.cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": latency_ms, "downloadThroughput": bytes_per_second,
            "uploadThroughput": bytes_per_second})

    def total(self) -> int:
        return sum(self.sizes.values())

    def by_url(self) -> dict[str, int]:
        return {self.urls.get(k, k): v for k, v in self.sizes.items()}
