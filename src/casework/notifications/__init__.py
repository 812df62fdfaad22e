"""Notifications (通知): the in-app inbox, and the deadline steps already sent."""
