"""The embedded default: `casework serve` with no Redis chases the demo's overdue cases on its own
timer, each step once, however many sweeps run."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from pathlib import Path

from tests.serving.conftest import VENV_BIN, free_port, wait_until_listening


def _notifications(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT u.username, n.kind, n.level, c.title FROM notifications n "
                            "JOIN users u ON u.id = n.user_id JOIN cases c ON c.id = n.case_id "
                            "WHERE n.kind IN ('reminder', 'escalation') ORDER BY n.id").fetchall()


def test_the_demo_s_overdue_cases_are_chased_once_without_redis(tmp_path):
    env = {**os.environ, "CASEWORK_INSTANCE_DIR": str(tmp_path), "CASEWORK_DATABASE_URL": "", "CASEWORK_REDIS_URL": "",
           "CASEWORK_SWEEP_SECONDS": "1"}
    for args in (("db", "upgrade"), ("demo",)):
        subprocess.run([str(VENV_BIN / "casework"), *args], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([str(VENV_BIN / "casework"), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    db = tmp_path / "casework.db"
    try:
        wait_until_listening(port, server)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(_notifications(db)) < 5:
            time.sleep(0.5)
        first = _notifications(db)
        time.sleep(4)  # several more sweeps, a second apart
        again = _notifications(db)
    finally:
        server.terminate()
        server.wait(timeout=15)
    assert again == first, "a later sweep sent something twice"
    told = {(user, kind, title) for user, kind, _level, title in first}
    assert ("clerk", "escalation", "青山村3户危房改造资料缺失") in told  # 2 days late: level 1, the village clerk
    assert ("leader", "escalation", "柳溪村3户贫困户系统信息与实际不一致") in told  # 4 days late: level 2
    assert ("clerk", "reminder", "青山村扶贫手册走访信息漏项") in told  # due tomorrow
    assert ("officer", "reminder", "青山村某户一户一策未得到户主认可") in told  # due in two days, reminded 3 before
    assert not any(title == "枫林村群众反映帮扶不到位" for *_rest, title in first)  # dismissed: closed
