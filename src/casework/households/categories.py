"""Household categories (户类别): one fixed list, extended here in code.

Stored and sent as the English key; people read and write the Chinese label (the register's
户类别 column takes either).
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    LIFTED = "lifted"  # 脱贫户
    MONITORED = "monitored"  # 监测户 (防返贫监测对象)
    SUBSISTENCE = "subsistence"  # 低保户
    FIVE_GUARANTEES = "five_guarantees"  # 五保户 (特困供养)
    DISABILITY = "disability"  # 残疾户
    ORDINARY = "ordinary"  # 一般户


LABELS: dict[str, str] = {
    Category.LIFTED: "脱贫户",
    Category.MONITORED: "监测户",
    Category.SUBSISTENCE: "低保户",
    Category.FIVE_GUARANTEES: "五保户",
    Category.DISABILITY: "残疾户",
    Category.ORDINARY: "一般户",
}

CATEGORIES = tuple(c.value for c in Category)
_BY_WORD = {**{key: key for key in CATEGORIES}, **{label: key for key, label in LABELS.items()}}


def parse(word: str) -> str | None:
    """The category a key or a Chinese label names, or None."""
    return _BY_WORD.get(word.strip())


def label(key: str | None) -> str | None:
    return LABELS.get(key) if key else None


def choices() -> str:
    """The labels, as a refusal lists them."""
    return "、".join(LABELS.values())
