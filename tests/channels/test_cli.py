"""`casework channels` and `casework users mobile`, for operators: add (the secret from the
environment, never the command line), list with the last error, test, switch off, remove."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from casework.cli import main

from tests.channels.conftest import receiver  # noqa: F401 - a fixture

SECRET = "whsec_cli_5f0a7b3d4e2f8a6b1c0d"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_operator_adds_tests_lists_and_removes_a_channel(configured, village, receiver):
    env = {"CASEWORK_DATABASE_URL": configured.engine.url.render_as_string(hide_password=False),
           "CASEWORK_INSTANCE_DIR": str(configured.settings.instance_dir), "CASEWORK_REDIS_URL": "",
           "CASEWORK_CHANNELS_PRIVATE": "1", "CASEWORK_CHANNEL_SECRET": SECRET}

    def run(*args: str):
        return CliRunner().invoke(main, list(args), env=env)

    added = run("channels", "add", "webhook", receiver.url("/county"), "--unit", "T-V1", "--name", "县平台", "--secret")
    assert added.exit_code == 0, added.output
    assert added.output.startswith("channel #1 (webhook) 县平台 → http://127.0.0.1:")
    tested = run("channels", "test", "1")
    assert tested.exit_code == 0 and tested.output.startswith("sent in ") and "200" in tested.output
    assert "casework.test" in receiver.got[0].body.decode() and receiver.got[0].headers["X-Casework-Signature"]
    receiver.otherwise = (400, {"error": "unknown township"})
    refused = run("channels", "test", "1")
    assert refused.exit_code == 1 and "HTTP 400" in refused.output
    listed = run("channels", "list")
    assert "#1" in listed.output and "FAILING" in listed.output and "unknown township" in listed.output
    assert SECRET not in added.output + tested.output + refused.output + listed.output
    assert run("channels", "disable", "1").output == "channel #1 off\n"
    assert " off " in run("channels", "list").output
    assert run("channels", "remove", "1").output == "channel #1 removed\n"
    assert run("channels", "list").output == "no channels\n"
    assert run("channels", "test", "1").exit_code == 2
    assert run("channels", "add", "email", "x@example.gov.cn").exit_code == 2  # neither --unit nor --user
    mobile = run("users", "mobile", "clerk2", "139 0013 9001")
    assert mobile.exit_code == 0 and mobile.output == "user clerk2: mobile *******9001\n"
