"""Users and their role memberships in units."""
