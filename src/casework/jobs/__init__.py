"""Background jobs (RQ on Redis): they take ids, open their own session, and are idempotent."""
