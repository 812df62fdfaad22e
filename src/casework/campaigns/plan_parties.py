"""Who a work plan makes responsible (责任单位), and what each is in the unit tree.

Plans name kinds of units, not units: "帮扶责任人、村(社区)扶贫专干、驻村工作队或联村组长" is four
parties, each meaning "the one for this household or village". Creating cases later picks the
actual unit by its kind and role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from casework.limits import PARTY_MAX
from casework.vocabulary import Role, UnitKind


@dataclass(frozen=True)
class Party:
    """A responsible party as the plan names it, with its unit kind and role when known."""

    name: str
    unit_kind: str | None
    role: str | None


# Names as normalise() leaves them: half-width brackets, no leading 各 / 各级. A name mapped to
# (None, None) is known but sits outside the township's tree: 派出单位 are county bureaus, so
# they are not reported as unknown either.
PARTY_KINDS: dict[str, tuple[UnitKind | None, Role | None]] = {
    "帮扶责任人": (UnitKind.ASSISTANCE_OFFICER, Role.UNIT),
    "村(社区)扶贫专干": (UnitKind.VILLAGE, Role.UNIT),
    "驻村工作队": (UnitKind.WORK_TEAM, Role.UNIT),
    "联村组长": (UnitKind.VILLAGE, Role.LEADER),
    "联点组长": (UnitKind.VILLAGE, Role.LEADER),
    "村(社区)联点党政领导": (UnitKind.TOWNSHIP, Role.LEADER),
    "村(社区)书记(主任)": (UnitKind.VILLAGE, Role.LEADER),
    "镇扶贫工作站": (UnitKind.OFFICE, Role.UNIT),
    "基层党建办": (UnitKind.OFFICE, Role.UNIT),
    "村(社区)": (UnitKind.VILLAGE, Role.UNIT),
    "驻村工作队派出单位": (None, None),
}

# Commas and 、 always separate parties; 及 / 和 / 或 do too, except inside a name the table knows.
# Brackets protect what they hold (村(社区)、书记(主任) are single names); a bracket's content is
# bounded so that an unclosed one costs nothing.
_HARD = re.compile(r"(?:[(（][^)）\n]{0,30}[)）]|[^、,，;；\n])+")
_SOFT = re.compile(r"(?:[(（][^)）\n]{0,30}[)）]|[^及和或])+")
_EDGES = " \t\u3000:：。.．、,，;；"
_QUANTIFIER = re.compile(r"^(?:各级|各)")
_SPACES = re.compile(r"\s+")
_WIDTH = str.maketrans("（）", "()")


def normalise(name: str) -> str:
    """村（社区） → 村(社区), 各级帮扶责任人 → 帮扶责任人, 驻村工作队等 → 驻村工作队."""
    name = _SPACES.sub("", name.translate(_WIDTH)).strip(_EDGES)
    return _QUANTIFIER.sub("", name).removesuffix("等")


def party_names(text: str, *, limit: int) -> tuple[list[str], bool]:
    """The distinct parties in a 责任单位 text, in the plan's order, and whether some were left
    out (more than `limit` of them, or more text than that many names could fill)."""
    # `limit` names of at most PARTY_MAX characters fit in this much text; what lies beyond is
    # more than the limit anyway, and is not read.
    window = limit * (PARTY_MAX + 1)
    names: dict[str, None] = {}
    for count, match in enumerate(_HARD.finditer(text, 0, window)):
        if count == limit:
            return list(names), True
        piece = match[0][:PARTY_MAX]
        whole = normalise(piece)
        parts = [whole] if whole in PARTY_KINDS else [normalise(m[0]) for m in _SOFT.finditer(piece)]
        names.update((p, None) for p in parts if p)
    return list(names), len(text) > window


def party(name: str) -> Party:
    """The party for a normalised name; unknown names have no kind and no role."""
    kind, role = PARTY_KINDS.get(name, (None, None))
    return Party(name, kind.value if kind else None, role.value if role else None)


def is_known(name: str) -> bool:
    return name in PARTY_KINDS
