"""The schema library's validation messages as catalogue codes, so they read in the caller's language.

marshmallow writes its messages in English from fixed templates; each template below becomes a
catalogue code with its numbers as parameters. Our own fields already raise codes (schema_fields.py).
"""

from __future__ import annotations

import re
from typing import Any

from casework.i18n import has, translate

_TEMPLATES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), code) for pattern, code in [
        (r"^Missing data for required field\.$", "v_required"),
        (r"^Field may not be null\.$", "v_null"),
        (r"^Unknown field\.$", "v_unknown"),
        (r"^Invalid value\.$", "v_invalid"),
        (r"^Invalid (input )?type\.$", "v_invalid_type"),
        (r"^Invalid input\.$", "v_invalid"),
        (r"^Not a valid string\.$", "v_string"),
        (r"^Not a valid utf-8 string\.$", "v_string"),
        (r"^Not a valid integer\.$", "v_integer"),
        (r"^Not a valid number\.$", "v_number"),
        (r"^Number too large\.$", "v_too_large"),
        (r"^Not a valid boolean\.$", "v_boolean"),
        (r"^Not a valid date\.$", "v_date"),
        (r"^Not a valid (naive |aware )?datetime\.$", "v_datetime"),
        (r"^Not a valid list\.$", "v_list"),
        (r"^Not a valid mapping type\.$", "v_mapping"),
        (r"^Special numeric values \(nan or infinity\) are not permitted\.$", "v_nan"),
        (r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$", "v_length_between"),
        (r"^Shorter than minimum length (?P<min>\d+)\.$", "v_length_min"),
        (r"^Longer than maximum length (?P<max>\d+)\.$", "v_length_max"),
        (r"^Length must be (?P<equal>\d+)\.$", "v_length_equal"),
        (r"^Must be greater than or equal to (?P<min>-?\d+) and less than or equal to (?P<max>-?\d+)\.$",
         "v_range_between"),
        (r"^Must be greater than or equal to (?P<min>-?\d+)\.$", "v_range_min"),
        (r"^Must be less than or equal to (?P<max>-?\d+)\.$", "v_range_max"),
        (r"^Must be one of: (?P<choices>.*)\.$", "v_one_of"),
        (r"^String does not match expected pattern\.$", "v_pattern"),
    ]
]


def as_code(message: str) -> tuple[str, dict[str, Any]] | None:
    """(code, parameters) for one of the library's messages, or for one of our own codes."""
    if has(message):
        return message, {}
    for pattern, code in _TEMPLATES:
        match = pattern.match(message)
        if match:
            return code, match.groupdict()
    return None


def localise(messages: Any, language: str) -> Any:
    """The library's nested {field: [messages]} with every known message in `language`."""
    if isinstance(messages, dict):
        return {key: localise(value, language) for key, value in messages.items()}
    if isinstance(messages, list):
        return [localise(value, language) for value in messages]
    if isinstance(messages, str):
        found = as_code(messages)
        return translate(found[0], language, found[1]) if found else messages
    return messages
