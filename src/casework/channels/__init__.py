"""Channels (通知渠道): the in-app notifications sent on to where people look — e-mail, DingTalk and
WeCom group robots, and the county's own systems by a signed JSON webhook."""
