"""The kinds of channel, and how fast each may be sent to.

A leaf module: the models, the schemas, the web and the CLI all name the kinds from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ChannelKind(StrEnum):
    EMAIL = "email"  # an address; sent through the install's SMTP server
    DINGTALK = "dingtalk"  # a DingTalk custom group robot (钉钉自定义机器人)
    WECOM = "wecom"  # a WeCom group robot (企业微信群机器人)
    WEBHOOK = "webhook"  # a JSON POST to the county's own systems, signed with HMAC-SHA256


KINDS = tuple(kind.value for kind in ChannelKind)
# What people read for each kind.
KIND_LABELS: dict[str, str] = {
    ChannelKind.EMAIL: "电子邮件",
    ChannelKind.DINGTALK: "钉钉群机器人",
    ChannelKind.WECOM: "企业微信群机器人",
    ChannelKind.WEBHOOK: "Webhook",
}


@dataclass(frozen=True)
class Rate:
    """A token bucket: `burst` sends at once, then `per_minute` a minute.

    Any window of a minute then holds at most burst + per_minute sends, so a robot that allows 20 a
    minute (and blocks for ten minutes past that) gets a burst of 10 and 10 a minute.
    """

    burst: int
    per_minute: float

    @property
    def per_second(self) -> float:
        return self.per_minute / 60


RATES: dict[str, Rate] = {
    # DingTalk: "每个机器人每分钟最多发送20条消息", past that it refuses for 10 minutes.
    ChannelKind.DINGTALK: Rate(burst=10, per_minute=10),
    # WeCom: "每个机器人发送的消息不能超过20条/分钟".
    ChannelKind.WECOM: Rate(burst=10, per_minute=10),
    # Mail servers throttle senders too; a person's inbox needs no more.
    ChannelKind.EMAIL: Rate(burst=10, per_minute=10),
    ChannelKind.WEBHOOK: Rate(burst=30, per_minute=30),
}
