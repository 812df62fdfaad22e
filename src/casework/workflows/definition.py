"""A workflow definition: parsed from a file, validated, and normalised to plain data.

The file format (see workflows/default.yaml) reads like the diagram: a header saying whom the
workflow is for, its states, its events grouped by role, then reminders and escalation.
This module knows no tables and no HTTP.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statemachine import StateChart

from casework.limits import KEY as _KEY
from casework.vocabulary import EVIDENCE_KINDS, UNIT_KINDS, Role, RoleSpec
from casework.workdays import Duration, parse_duration
from casework.workflows import strict_yaml

# Fields an event may require or accept from the caller.
EVENT_FIELDS = ("reason", "comment", "assignee_id", "unit_id", "deadline")
# Who an escalation step notifies.
ESCALATION_TARGETS = ("unit", "unit_leader", "campaign_leader")
# Roles that may fire events; auditors read and admins keep the system, neither works cases.
WORKING_ROLES = (Role.LEADER.value, Role.UNIT.value)

_TOP_KEYS = {"key", "name", "description", "applies_to", "initial", "states", "events",
             "remind_before", "escalation"}
_STATE_KEYS = {"label", "time_allowed", "final", "closed"}
_EVENT_KEYS = {"label", "from", "to", "roles", "requires", "accepts", "evidence", "not_by_actor_of"}
# States and events become attributes of the generated machine: one named like the machine's own
# attributes (send, model, configuration …) would shadow it and break every event of the case.
_MACHINE_NAMES = frozenset(n for n in dir(StateChart) if not n.startswith("_")) | {
    "model", "state_field", "history_values", "listeners"}


@dataclass(frozen=True)
class WorkflowError:
    """One problem in a definition file, said so a person can find and fix it."""

    source: str
    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.key}: {self.message}"


class InvalidWorkflow(Exception):
    def __init__(self, errors: list[WorkflowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class StateDef:
    key: str
    label: str
    time_allowed: Duration | None = None
    final: bool = False
    # Closed states (verified, dismissed) stop the deadline clock; a final one has no way out.
    closed: bool = False


@dataclass(frozen=True)
class EventDef:
    key: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the event is recorded but the case stays where it is
    roles: tuple[RoleSpec, ...]
    requires: tuple[str, ...] = ()
    accepts: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    not_by_actor_of: str | None = None

    def fields(self) -> tuple[str, ...]:
        """Every field the caller may send with this event."""
        return tuple(dict.fromkeys(("comment", *self.requires, *self.accepts)))


@dataclass(frozen=True)
class EscalationStep:
    level: int
    after: Duration
    notify: str


@dataclass(frozen=True)
class WorkflowDefinition:
    key: str
    name: str
    initial: str
    states: dict[str, StateDef]
    events: dict[str, EventDef]
    description: str = ""
    applies_to: tuple[str, ...] = ()
    remind_before: Duration | None = None
    escalation: tuple[EscalationStep, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def to_data(self) -> dict[str, Any]:
        """The normalised definition as JSON-ready data (what the database stores)."""
        return self.raw

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.raw).encode()).hexdigest()

    def events_from(self, state: str) -> list[EventDef]:
        return [e for e in self.events.values() if state in e.sources]

    def is_closed(self, state: str) -> bool:
        found = self.states.get(state)
        return bool(found and (found.closed or found.final))

    def is_verified(self, state: str) -> bool:
        """Closed by verification (a closure pack is due), not ended as unfounded (dismissed)."""
        found = self.states.get(state)
        return bool(found and found.closed and not found.final)


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _rough_days(duration: Duration) -> float:
    """A length to order ladder steps by: a working day is at least a calendar day."""
    return duration.amount / 24 if duration.unit == "h" else float(duration.amount)


class _Checker:
    """Collects every problem in one pass, so a file is fixed in one go rather than error by error."""

    def __init__(self, source: str, node) -> None:
        self.source = source
        self.node = node
        self.errors: list[WorkflowError] = []

    def error(self, path: tuple, message: str) -> None:
        key = ".".join(str(p) for p in path) or "(top)"
        self.errors.append(WorkflowError(self.source, key, message, strict_yaml.line_of(self.node, path)))

    def text(self, data: dict, name: str, path: tuple, required: bool = True) -> str:
        value = data.get(name)
        if value is None:
            if required:
                self.error(path + (name,), "is required")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.error(path + (name,), "must be non-empty text")
            return ""
        return value.strip()

    def str_list(self, data: dict, name: str, path: tuple, allowed: tuple | set | None = None) -> list[str]:
        value = data.get(name, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(path + (name,), "must be a list of names")
            return []
        if allowed is not None:
            for item in value:
                if item not in allowed:
                    self.error(path + (name,), f"unknown {name} {item!r}; expected one of {', '.join(sorted(allowed))}")
        if len(set(value)) != len(value):
            self.error(path + (name,), "lists a name twice")
        return list(dict.fromkeys(value))

    def duration(self, data: dict, name: str, path: tuple) -> Duration | None:
        if data.get(name) is None:
            return None
        try:
            return parse_duration(data[name])
        except ValueError as exc:
            self.error(path + (name,), str(exc))
            return None

    def flag(self, data: dict, name: str, path: tuple) -> bool:
        value = data.get(name, False)
        if not isinstance(value, bool):
            self.error(path + (name,), "must be true or false")
            return False
        return value

    def unknown_keys(self, data: dict, allowed: set, path: tuple) -> None:
        for key in data:
            if key not in allowed:
                self.error(path + (key,), f"unknown key; expected one of {', '.join(sorted(allowed))}")


def _parse_roles(check: _Checker, data: dict, path: tuple) -> tuple[RoleSpec, ...]:
    names = check.str_list(data, "roles", path)
    if not names and "roles" not in data:
        check.error(path + ("roles",), "an event needs at least one role that may fire it")
    elif not names:
        check.error(path + ("roles",), "must name at least one role")
    specs = []
    for name in names:
        spec = RoleSpec.parse(name)
        if spec.role not in WORKING_ROLES:
            check.error(path + ("roles",), f"role {spec.role!r} cannot fire events; use {' or '.join(WORKING_ROLES)}")
        if spec.unit_kind is not None and spec.unit_kind not in UNIT_KINDS:
            check.error(path + ("roles",), f"unknown unit kind {spec.unit_kind!r} in {name!r}")
        specs.append(spec)
    return tuple(specs)


def _parse_states(check: _Checker, data: Any) -> dict[str, StateDef]:
    states: dict[str, StateDef] = {}
    if not isinstance(data, dict) or not data:
        check.error(("states",), "must be a mapping of state keys to their labels and limits")
        return states
    for key, body in data.items():
        path = ("states", key)
        if not isinstance(key, str) or not _KEY.match(key):
            check.error(path, "a state key must be lower-case English letters, digits or _")
            continue
        if key in _MACHINE_NAMES:
            check.error(path, f"{key!r} is a name the state machine uses itself; choose another key")
            continue
        if isinstance(body, str):
            body = {"label": body}
        if not isinstance(body, dict):
            check.error(path, "must be a mapping with at least a label")
            continue
        check.unknown_keys(body, _STATE_KEYS, path)
        final = check.flag(body, "final", path)
        states[key] = StateDef(
            key=key,
            label=check.text(body, "label", path),
            time_allowed=check.duration(body, "time_allowed", path),
            final=final,
            closed=check.flag(body, "closed", path) or final,
        )
    return states


def _parse_events(check: _Checker, data: Any, states: dict[str, StateDef]) -> dict[str, EventDef]:
    events: dict[str, EventDef] = {}
    if not isinstance(data, dict) or not data:
        check.error(("events",), "must be a mapping of event keys to their definitions")
        return events
    for key, body in data.items():
        path = ("events", key)
        if not isinstance(key, str) or not _KEY.match(key):
            check.error(path, "an event key must be lower-case English letters, digits or _")
            continue
        if key in _MACHINE_NAMES:
            check.error(path, f"{key!r} is a name the state machine uses itself; choose another key")
            continue
        if key in states:
            check.error(path, "is also the key of a state; the state machine needs them apart")
            continue
        if not isinstance(body, dict):
            check.error(path, "must be a mapping with label, from, roles")
            continue
        check.unknown_keys(body, _EVENT_KEYS, path)
        sources = check.str_list(body, "from", path)
        if not sources:
            check.error(path + ("from",), "must name at least one state the event leaves from")
        for source in sources:
            if source not in states:
                check.error(path + ("from",), f"unknown state {source!r}")
            elif states[source].final:
                check.error(path + ("from",), f"state {source!r} is final; nothing may leave it")
        target = body.get("to")
        if target is not None and (not isinstance(target, str) or target not in states):
            check.error(path + ("to",), f"unknown state {target!r}")
            target = None
        requires = check.str_list(body, "requires", path, set(EVENT_FIELDS))
        accepts = check.str_list(body, "accepts", path, set(EVENT_FIELDS))
        evidence = check.str_list(body, "evidence", path, EVIDENCE_KINDS)
        not_by = body.get("not_by_actor_of")
        if not_by is not None and (not isinstance(not_by, str) or not_by not in data):
            check.error(path + ("not_by_actor_of",), f"unknown event {not_by!r}")
            not_by = None
        events[key] = EventDef(
            key=key,
            label=check.text(body, "label", path),
            sources=tuple(sources),
            target=target,
            roles=_parse_roles(check, body, path),
            requires=tuple(requires),
            accepts=tuple(a for a in accepts if a not in requires),
            evidence=tuple(evidence),
            not_by_actor_of=not_by,
        )
    return events


def _parse_escalation(check: _Checker, data: Any) -> tuple[EscalationStep, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        check.error(("escalation",), "must be a list of steps, each with after and notify")
        return ()
    steps: list[EscalationStep] = []
    for index, body in enumerate(data):
        path = ("escalation", index)
        if not isinstance(body, dict):
            check.error(path, "must be a mapping with after and notify")
            continue
        check.unknown_keys(body, {"after", "notify"}, path)
        after = check.duration(body, "after", path) if "after" in body else None
        if after is None and "after" not in body:
            check.error(path + ("after",), "is required")
        notify = body.get("notify")
        if notify not in ESCALATION_TARGETS:
            check.error(path + ("notify",), f"must be one of {', '.join(ESCALATION_TARGETS)}")
        if after is not None and steps and _rough_days(after) <= _rough_days(steps[-1].after):
            check.error(path + ("after",), "each step must come later than the one before")
        if after is not None and notify in ESCALATION_TARGETS:
            steps.append(EscalationStep(level=len(steps) + 1, after=after, notify=notify))
    return tuple(steps)


def _check_graph(check: _Checker, initial: str, states: dict[str, StateDef], events: dict[str, EventDef]) -> None:
    reachable, frontier = {initial}, [initial]
    while frontier:
        state = frontier.pop()
        for event in events.values():
            if state in event.sources and event.target and event.target not in reachable:
                reachable.add(event.target)
                frontier.append(event.target)
    for key, state in states.items():
        if key not in reachable:
            check.error(("states", key), "is unreachable from the initial state")
        moving_out = [e for e in events.values() if key in e.sources and e.target and e.target != key]
        if not state.final and not moving_out:
            check.error(("states", key), "has no way out; add an event leaving it or mark it final: true")


def parse(data: Any, *, source: str, node=None) -> WorkflowDefinition:
    """Validate loaded data and build the definition; raises InvalidWorkflow listing every problem."""
    check = _Checker(source, node)
    if not isinstance(data, dict):
        check.error((), "a workflow file must be a mapping with key, name, states and events")
        raise InvalidWorkflow(check.errors)
    check.unknown_keys(data, _TOP_KEYS, ())
    key = data.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        check.error(("key",), "is required: lower-case English letters, digits or _")
        key = ""
    name = check.text(data, "name", ())
    description = data.get("description") or ""
    if not isinstance(description, str):
        check.error(("description",), "must be text")
        description = ""
    applies_to = check.str_list(data, "applies_to", (), UNIT_KINDS)
    states = _parse_states(check, data.get("states"))
    initial = data.get("initial")
    if initial not in states:
        check.error(("initial",), f"must name one of the states ({', '.join(states) or 'none defined'})")
    events = _parse_events(check, data.get("events"), states)
    remind_before = check.duration(data, "remind_before", ())
    escalation = _parse_escalation(check, data.get("escalation"))
    if initial in states and not check.errors:
        _check_graph(check, initial, states, events)
    if check.errors:
        raise InvalidWorkflow(check.errors)
    definition = WorkflowDefinition(
        key=key, name=name, description=description.strip(), applies_to=tuple(applies_to),
        initial=initial, states=states, events=events, remind_before=remind_before,
        escalation=escalation,
    )
    raw = _normalised(definition)
    definition = WorkflowDefinition(**{**definition.__dict__, "raw": raw})
    # The library is the final judge of a machine's shape (InvalidDefinition on build).
    from casework.workflows.machine import build_machine_class

    try:
        build_machine_class(definition)
    except Exception as exc:  # noqa: BLE001 - any refusal is reported against the file
        raise InvalidWorkflow([WorkflowError(source, key or "(top)", f"the state machine refused it: {exc}")])
    return definition


def _duration_text(value: Duration | None) -> str | None:
    return None if value is None else str(value)


def _normalised(d: WorkflowDefinition) -> dict[str, Any]:
    return {
        "key": d.key,
        "name": d.name,
        "description": d.description,
        "applies_to": list(d.applies_to),
        "initial": d.initial,
        "states": {
            s.key: {"label": s.label, "time_allowed": _duration_text(s.time_allowed),
                    "final": s.final, "closed": s.closed}
            for s in d.states.values()
        },
        "events": {
            e.key: {"label": e.label, "from": list(e.sources), "to": e.target,
                    "roles": [str(r) for r in e.roles], "requires": list(e.requires),
                    "accepts": list(e.accepts), "evidence": list(e.evidence),
                    "not_by_actor_of": e.not_by_actor_of}
            for e in d.events.values()
        },
        "remind_before": _duration_text(d.remind_before),
        "escalation": [{"after": _duration_text(s.after), "notify": s.notify} for s in d.escalation],
    }


def from_data(data: dict[str, Any], *, source: str = "(database)") -> WorkflowDefinition:
    """Rebuild a definition from its stored, normalised form."""
    return parse(data, source=source)


def load_file(path: Path) -> WorkflowDefinition:
    """Read and validate one workflow file; raises InvalidWorkflow naming the file and key."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidWorkflow([WorkflowError(source, "(file)", f"cannot read it: {exc}")])
    if len(text) > 256 * 1024:
        raise InvalidWorkflow([WorkflowError(source, "(file)", "is larger than 256 KiB")])
    try:
        data, node = strict_yaml.load(text)
    except strict_yaml.YamlProblem as exc:
        raise InvalidWorkflow([WorkflowError(source, exc.key or "(file)", str(exc), exc.line)])
    return parse(data, source=source, node=node)


def load_folder(folder: Path) -> tuple[dict[str, WorkflowDefinition], list[WorkflowError]]:
    """Every *.yaml file in `folder`, and every problem found in them and across them."""
    definitions: dict[str, WorkflowDefinition] = {}
    errors: list[WorkflowError] = []
    files = sorted(list(folder.glob("*.yaml")) + list(folder.glob("*.yml")))
    if not files:
        errors.append(WorkflowError(str(folder), "(folder)", "holds no workflow files (*.yaml)"))
    claimed: dict[str, str] = {}
    sources: dict[str, Path] = {}
    for path in files:
        try:
            definition = load_file(path)
        except InvalidWorkflow as exc:
            errors.extend(exc.errors)
            continue
        if definition.key in definitions:
            errors.append(WorkflowError(str(path), "key", f"workflow key {definition.key!r} is also used by "
                                                          f"{sources[definition.key].name}"))
            continue
        sources[definition.key] = path
        for kind in definition.applies_to:
            if kind in claimed:
                errors.append(WorkflowError(str(path), "applies_to",
                                            f"unit kind {kind!r} is already claimed by workflow {claimed[kind]!r}"))
            claimed[kind] = definition.key
        definitions[definition.key] = definition
    # A broken file may well be the default itself: then its own errors say enough.
    if files and "default" not in definitions and not errors:
        errors.append(WorkflowError(str(folder), "default", "no workflow has key 'default' (used for units without one)"))
    return definitions, errors
