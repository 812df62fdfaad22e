"""The tamper-evident record: one hash chain of events per case, and the admin log."""
