"""The append-only records: case events and the admin log, chained by SHA-256, and how they are hashed."""
