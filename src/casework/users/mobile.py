"""An official's mobile number: the one group robots @mention them by (never a household's phone).

Typed as people type it — full-width digits, spaces, dashes, +86 — and kept as 11 digits.
"""

from __future__ import annotations

import re
import unicodedata

from casework.errors import Unprocessable
from casework.limits import MOBILE


def normalise(value: str) -> str:
    """The mobile as 11 digits; a 422 naming the field otherwise."""
    compact = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", value))
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("86") and len(compact) == 13:
        compact = compact[2:]
    if not MOBILE.match(compact):
        raise Unprocessable("invalid_field", field="mobile", reason_code="mobile_invalid")
    return compact


def masked(value: str | None) -> str | None:
    """All but the last four digits hidden, as every list and answer shows it: *******5678."""
    return None if value is None else "*" * (len(value) - 4) + value[-4:]
