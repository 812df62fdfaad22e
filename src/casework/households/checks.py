"""What a household's fields must look like, and how personal data is shown when masked.

- **ID numbers** (身份证号, GB 11643-1999): 18 characters, 17 digits and a check character (a digit
  or X, upper-cased here; full-width characters and spaces people type are normalised first), a
  birth date that exists and is not in the future, and the check character the first 17 give. The
  region code is not checked: districts are renamed and merged, and older numbers keep the code
  they were issued under.
- **Phones** (联系电话): a mainland mobile (1[3-9] and nine digits; +86 and spaces or dashes
  allowed, kept as 11 digits) or a landline with its area code (010 and 02x have three digits,
  every other area code four; kept as `0731-12345678`).
- **Household numbers** (户编号): letters, digits and `-_.`, up to 40, as the county's system or
  the township's own register numbers them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from casework.limits import MOBILE
from casework.text import is_blank, problem_with

NUMBER_MAX = 40
NAME_MAX = 50
SIZE_MAX = 30  # more people in one household is a typing slip
NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
# ASCII digits only ([0-9], not \d): int() would read other scripts' digits as numbers too.
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
# What Excel shows (and saves to CSV) once it has taken an 18-digit number for a number.
_SCIENTIFIC = re.compile(r"^[0-9](\.[0-9]+)?E\+?[0-9]+$")
_EARLIEST_BIRTH = date(1900, 1, 1)
_LANDLINE = re.compile(r"^0[0-9]{9,11}$")


class Refused(Exception):
    """A value that cannot be taken, with the catalogue code that says why."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _plain(value: str) -> str:
    # Full-width digits, letters and dashes from a Chinese input method become their ASCII selves.
    return unicodedata.normalize("NFKC", value).strip()


def check_character(first17: str) -> str:
    """The 18th character of an ID number whose first 17 digits are `first17`."""
    return _CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number(value: str, *, today: date | None = None) -> str:
    """The ID number in its one stored form (upper-case X); Refused otherwise."""
    text = re.sub(r"\s", "", _plain(value)).upper()
    if not _ID_SHAPE.match(text):
        raise Refused("id_number_as_number" if _SCIENTIFIC.match(text) else "id_number_format")
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise Refused("id_number_birth_date") from None
    if not _EARLIEST_BIRTH <= born <= (today or date.today()):
        raise Refused("id_number_birth_date")
    if check_character(text[:17]) != text[17]:
        raise Refused("id_number_check_digit")
    return text


def phone(value: str) -> str:
    """The phone in its one stored form: 11 digits for a mobile, `area-number` for a landline."""
    text = _plain(value)
    compact = re.sub(r"[\s\-()]", "", text)
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("86") and len(compact) == 13:
        compact = compact[2:]
    if MOBILE.match(compact):
        return compact
    if _LANDLINE.match(compact) and not text.startswith("+"):
        area = compact[:3] if compact[1] in "12" else compact[:4]
        local = compact[len(area):]
        if 7 <= len(local) <= 8 and local[0] != "0":
            return f"{area}-{local}"
    raise Refused("phone_invalid")


def name(value: str) -> str:
    """The head of household's name (户主姓名), NFC, without control or bidi characters."""
    if is_blank(value):
        raise Refused("text_empty")
    problem = problem_with(value, names=True)
    if problem:
        raise Refused(problem)
    text = unicodedata.normalize("NFC", value.strip())
    if len(text) > NAME_MAX:
        raise Refused("text_too_long", max=NAME_MAX)
    return text


def number(value: str) -> str:
    """A household number (户编号)."""
    text = _plain(value)
    if not NUMBER_PATTERN.match(text):
        raise Refused("household_number_invalid", max=NUMBER_MAX)
    return text


def size(value: int) -> int:
    """How many people live in the household (家庭人口)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= SIZE_MAX:
        raise Refused("household_size_invalid", max=SIZE_MAX)
    return value


def mask(value: str | None) -> str | None:
    """Everything but the last four characters hidden: `**************123X`, `*******5678`."""
    if value is None:
        return None
    return "*" * max(len(value) - 4, 0) + value[-4:]
