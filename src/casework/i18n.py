"""The one message catalogue: every text a person reads, in Chinese (default) and English.

gettext catalogues (`locale/<language>/LC_MESSAGES/casework.po`), read with Babel. Message ids
are stable codes (`case_not_found`, `text_too_long`) rather than source sentences, because the
same code also travels in API error bodies; each catalogue holds the sentence, with `{name}`
placeholders filled from the details. A leaf module: it works outside any request (jobs write
Chinese messages too); the web layer only picks the language.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
_LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    """The messages of one language, read once per process."""
    path = _LOCALE_DIR / language / "LC_MESSAGES" / "casework.po"
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=language)
    return {message.id: message.string for message in parsed if message.id and message.string}


def pick_language(wanted: str | None) -> str:
    """A supported language for a tag such as 'en-US' or 'zh-CN' (Chinese when unsure)."""
    if wanted and wanted.split("-")[0].lower() == "en":
        return "en"
    return DEFAULT_LANGUAGE


def translate(code: str, language: str = DEFAULT_LANGUAGE, params: dict[str, Any] | None = None) -> str:
    """The message for `code` in `language`, with its placeholders filled.

    A parameter named `reason_code` is itself a message code: it is translated first and filled
    in as `reason`, so nested explanations read in one language.
    """
    params = dict(params or {})
    if "reason_code" in params:
        inner = {k: v for k, v in params.items() if k != "reason_code"}
        params["reason"] = translate(params["reason_code"], language, inner)
    template = catalogue(language).get(code) or catalogue(DEFAULT_LANGUAGE).get(code) or code
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError, AttributeError):
        return template


def has(code: str) -> bool:
    """Whether the catalogue knows `code` (in the default language, which has every message)."""
    return code in catalogue(DEFAULT_LANGUAGE)
