"""One message catalogue per language, with the same codes in each, and every code the code uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from casework.i18n import catalogue, pick_language, translate

SRC = Path(__file__).resolve().parents[1] / "src" / "casework"
# Error classes raised with a code, and nested reason codes.
RAISED = re.compile(r"\b(?:BadRequest|Unauthorized|Forbidden|NotFound|Conflict|Unprocessable|TooManyRequests)\(\s*\"([a-z_]+)\"")
REASONS = re.compile(r"reason_code=\"([a-z_]+)\"")


def _codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(RAISED.findall(text)) | set(REASONS.findall(text))
    return found


def test_both_languages_have_the_same_codes():
    assert set(catalogue("zh")) == set(catalogue("en"))


def test_every_code_the_code_raises_has_a_message():
    missing = sorted(_codes_in_source() - set(catalogue("zh")))
    assert not missing, f"codes without a message in the catalogue: {missing}"


def test_chinese_messages_are_chinese():
    english_only = [code for code, text in catalogue("zh").items() if not re.search(r"[\u4e00-\u9fff]", text)]
    assert not english_only


@pytest.mark.parametrize(("tag", "language"), [(None, "zh"), ("zh-CN", "zh"), ("en", "en"), ("en-US", "en"),
                                               ("fr", "zh")])
def test_a_language_tag_picks_a_catalogue(tag, language):
    assert pick_language(tag) == language


def test_placeholders_are_filled_and_a_nested_reason_is_spelled_out():
    assert translate("invalid_field", "zh", {"field": "title", "reason_code": "text_too_long", "max": 300}) == \
        "字段“title”无效:最多 300 个字符"
    assert translate("no_such_code_here", "en") == "no_such_code_here"
