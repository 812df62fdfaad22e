"""Idempotency-Key support: a repeated POST gets the first answer and has no second effect."""
