"""Notification channels, for operators: add, list, test, switch off and remove them.

A secret never goes on the command line (shell history keeps it): `--secret` reads it from
CASEWORK_CHANNEL_SECRET, or asks for it without echoing.
"""

from __future__ import annotations

import os

import click

from casework.cli.base import fail, main, open_runtime, refusals


def _key(runtime):
    from casework import personal_data

    try:
        return personal_data.load(runtime.settings.data_key_path)
    except personal_data.KeyProblem as exc:
        fail(f"the data key cannot be used: {exc}", 2)


@main.group(help="Where notifications go besides the inbox: e-mail, DingTalk and WeCom robots, webhooks.")
def channels() -> None:
    pass


@channels.command("add", help="Add a channel for a unit (--unit CODE) or a person (--user NAME). TARGET: an "
                              "e-mail address, a robot's webhook URL (or its bare key), or a webhook URL.")
@click.argument("kind", type=click.Choice(["email", "dingtalk", "wecom", "webhook"]))
@click.argument("target")
@click.option("--unit", "unit_code", help="code of the unit whose people's notifications it carries")
@click.option("--user", "username", help="the person whose own notifications it carries")
@click.option("--name", help="what people call it, e.g. 青山村工作群")
@click.option("--secret", "with_secret", is_flag=True,
              help="DingTalk's signing secret or a webhook's HMAC key: from CASEWORK_CHANNEL_SECRET, else a prompt")
def channels_add(kind: str, target: str, unit_code: str | None, username: str | None, name: str | None,
                 with_secret: bool) -> None:
    from casework.channels import service
    from casework.units import service as units
    from casework.users import service as users

    if (unit_code is None) == (username is None):
        fail("give --unit or --user (one of them)", 2)
    secret = None
    if with_secret:
        secret = os.environ.get("CASEWORK_CHANNEL_SECRET") or click.prompt("Secret", hide_input=True)
    runtime = open_runtime()
    key = _key(runtime)
    with refusals(), runtime.transaction() as session:
        unit_id = units.by_code(session=session, code=unit_code).id if unit_code else None
        user_id = None
        if username:
            person = users.by_username(session=session, username=username)
            if person is None:
                fail(f"no user {username!r}", 2)
            user_id = person.id
        channel = service.create(session=session, key=key, actor=None, kind=kind, target=target, unit_id=unit_id,
                                 user_id=user_id, secret=secret, name=name,
                                 private_ok=runtime.settings.channels_private)
        click.echo(f"channel #{channel.id} ({channel.kind}) {channel.name} → {channel.target_shown}")


@channels.command("list", help="Every channel: kind, whose, where to (keys masked), and how sending goes.")
def channels_list() -> None:
    from casework.channels import reading, service

    runtime = open_runtime()
    with runtime.transaction() as session:
        found = reading.summaries(session=session, channels=service.channels_in_scope(session=session, viewer=None))
    for c in found:
        state = "off" if not c["enabled"] else "FAILING" if c["failing"] else "ok" if c["last_sent_at"] else "new"
        click.echo(f"#{c['id']:<4} {c['kind']:<9} {state:<8} {c['owner_name']} · {c['name']}  {c['target']}"
                   f"  waiting {c['waiting']}, failed {c['failed']}")
        if c["last_error"]:
            click.echo(f"      last error ({c['last_error_at']:%Y-%m-%d %H:%M} UTC): {c['last_error']}")
    if not found:
        click.echo("no channels")


@channels.command("test", help="Send a test message now and show what the other end answered.")
@click.argument("channel_id", type=int)
def channels_test(channel_id: int) -> None:
    from casework.channels import delivery, service

    runtime = open_runtime()
    with refusals():
        with runtime.transaction() as session:
            service.visible_channel(session=session, viewer=None, channel_id=channel_id)
        result = delivery.run_test(runtime=runtime, channel_id=channel_id)
    said = f"{result.status} {result.answer or ''}".strip() if result.status is not None else ""
    if result.ok:
        click.echo(f"sent in {result.elapsed_ms} ms: {said}")
    else:
        fail(f"not sent: {result.error}{f' — {said}' if said else ''}", 1)


def _switch(channel_id: int, enabled: bool) -> None:
    from casework.channels import service

    runtime = open_runtime()
    with refusals(), runtime.transaction() as session:
        channel = service.visible_channel(session=session, viewer=None, channel_id=channel_id)
        service.update(session=session, key=_key(runtime), channel=channel, actor=None, enabled=enabled)
    click.echo(f"channel #{channel_id} {'on' if enabled else 'off'}")


@channels.command("disable", help="Stop sending to a channel (its history stays).")
@click.argument("channel_id", type=int)
def channels_disable(channel_id: int) -> None:
    _switch(channel_id, False)


@channels.command("enable", help="Send to a channel again.")
@click.argument("channel_id", type=int)
def channels_enable(channel_id: int) -> None:
    _switch(channel_id, True)


@channels.command("remove", help="Remove a channel and its delivery history (the admin log keeps that it was).")
@click.argument("channel_id", type=int)
def channels_remove(channel_id: int) -> None:
    from casework.channels import service

    runtime = open_runtime()
    with refusals(), runtime.transaction() as session:
        channel = service.visible_channel(session=session, viewer=None, channel_id=channel_id)
        service.delete(session=session, channel=channel, actor=None)
    click.echo(f"channel #{channel_id} removed")
