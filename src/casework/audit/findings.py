"""What verification found: one finding per thing that does not match, said in people's words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casework.i18n import translate


@dataclass(frozen=True)
class Finding:
    """One mismatch: which record, which event or field, what the record says and what was found.

    `case_id`/`number` name a case; admin log and checkpoint findings name their own `record`.
    """

    code: str
    case_id: int | None = None
    number: str | None = None
    seq: int | None = None
    field: str | None = None
    expected: str | None = None
    found: str | None = None
    record: str = "case"

    def message(self, language: str = "zh") -> str:
        return translate(self.code, language, self.params())

    def params(self) -> dict[str, Any]:
        return {"case": self.number or self.case_id, "seq": self.seq, "field": self.field,
                "expected": self.expected, "found": self.found, "record": self.record}

    def line(self, language: str = "en") -> str:
        """One line for the command line: where, then what."""
        where = f"case {self.number} (id {self.case_id})" if self.case_id is not None else self.record
        at = f" event {self.seq}" if self.seq is not None else ""
        return f"{where}{at}: {self.message(language)}"


def shown(value: Any) -> str | None:
    """A value as a finding quotes it."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def as_dict(finding: Finding, language: str) -> dict[str, Any]:
    """A finding as the API and the pages show it, with its reason in `language`."""
    return {"code": finding.code, "reason": finding.message(language), "case_id": finding.case_id,
            "number": finding.number, "seq": finding.seq, "field": finding.field, "expected": finding.expected,
            "found": finding.found, "record": finding.record}


def from_dict(data: dict[str, Any]) -> Finding:
    """A finding as a verification run stored it."""
    return Finding(**{k: data.get(k) for k in ("code", "case_id", "number", "seq", "field", "expected", "found")},
                   record=data.get("record") or "case")
