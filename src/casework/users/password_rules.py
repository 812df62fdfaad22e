"""What a password must be (the rules an assessment under 等保 2.0 asks for), configurable.

At least `min_length` characters, at least `classes` of the four character classes (lower case,
upper case, digits, others), and not the username itself.
"""

from __future__ import annotations

from dataclasses import dataclass

CLASS_NAMES = ("lower", "upper", "digit", "other")


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 10
    classes: int = 3

    def problem(self, password: str, *, username: str | None = None) -> str | None:
        """The catalogue code of the first rule `password` breaks, or None when it meets them all."""
        if len(password) < self.min_length:
            return "password_too_short"
        if password_classes(password) < self.classes:
            return "password_too_simple"
        if username and password.casefold() == username.casefold():
            return "password_is_username"
        return None


DEFAULT_POLICY = PasswordPolicy()


def password_classes(password: str) -> int:
    """How many of the four classes (lower, upper, digit, other) the password uses."""
    return sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                any(c.isdigit() for c in password), any(not c.isalnum() for c in password)))
