"""Deadlines (整改时限) and the chasing they call for: reminders before, the escalation ladder after."""
