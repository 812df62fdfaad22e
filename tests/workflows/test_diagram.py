"""The workflow diagram on a case page: every state a box with its label, every event that moves
a case an arrow with its label, the current state marked, in both layouts; nothing overlaps, the
vertical drawing is readable on a phone, and labels from workflow files come out as text."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET

import pytest

from casework.paths import workflows_dir
from casework.workflows.definition import load_folder, parse
from casework.workflows.diagram import LAYOUTS, render_svg

NS = "{http://www.w3.org/2000/svg}"
WORKFLOWS, ERRORS = load_folder(workflows_dir())
CASES = [pytest.param(key, layout, id=f"{key}-{layout}") for key in WORKFLOWS for layout in LAYOUTS]
# A 375 px phone less the page's margins.
PHONE_WIDTH = 343

# All a drawing is made of: no script, link, image, style or foreign content.
DRAWING_ELEMENTS = {"svg", "title", "desc", "defs", "marker", "path", "rect", "g", "text", "tspan"}
HOSTILE = "<script>alert(1)</script>"
QUOTES = "&\"'"


def svg(key: str, layout: str, current: str | None = None) -> ET.Element:
    return ET.fromstring(render_svg(WORKFLOWS[key], current=current, layout=layout))


def text_of(element: ET.Element) -> str:
    """What a reader sees: a label's wrapped lines put back together."""
    return "".join("".join(t.itertext()) for t in element.iter(f"{NS}text"))


def boxes(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("data-state"): g for g in root.iter(f"{NS}g") if g.get("data-state")}


def arrows(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{NS}g") if g.get("data-event")]


def moves(definition) -> list[tuple[str, str, str, str]]:
    """(event, from, to, label) of every arrow the diagram must show."""
    return [(e.key, source, e.target, e.label) for e in definition.events.values() if e.target
            for source in e.sources if source != e.target]


def em(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.6 for ch in text)


def text_areas(root: ET.Element) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each line of text and the area it covers (width estimated at 1 em a CJK character)."""
    areas = []
    for text in root.iter(f"{NS}text"):
        size, anchor = float(text.get("font-size")), text.get("text-anchor")
        for span in text.iter(f"{NS}tspan"):
            x, y, width = float(span.get("x")), float(span.get("y")), em(span.text) * size
            left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
            areas.append((span.text, (left, y - 0.9 * size, left + width, y + 0.2 * size)))
    return areas


def rect_of(g: ET.Element) -> tuple[float, float, float, float]:
    r = g.find(f"{NS}rect")
    x, y = float(r.get("x")), float(r.get("y"))
    return x, y, x + float(r.get("width")), y + float(r.get("height"))


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_the_shipped_workflows_load():
    assert not ERRORS
    assert {"default", "household", "work_team"} <= set(WORKFLOWS)


@pytest.mark.parametrize(("key", "layout"), CASES)
def test_every_state_is_one_box_with_its_label(key, layout):
    root = svg(key, layout)
    found = boxes(root)
    assert list(found) == list(WORKFLOWS[key].states)
    for state, g in found.items():
        assert text_of(g) == WORKFLOWS[key].states[state].label


@pytest.mark.parametrize(("key", "layout"), CASES)
def test_every_moving_event_is_an_arrow_with_its_label(key, layout):
    definition = WORKFLOWS[key]
    drawn = arrows(svg(key, layout))
    for event, source, target, label in moves(definition):
        matching = [g for g in drawn if event in g.get("data-event").split()
                    and (g.get("data-from"), g.get("data-to")) == (source, target)]
        assert len(matching) == 1, (event, source, target)
        assert label in text_of(matching[0])
    # Events that leave a case where it is (note, extend, reassign) are not arrows.
    assert {e for g in drawn for e in g.get("data-event").split()} == {m[0] for m in moves(definition)}
    assert len(drawn) == len({(m[1], m[2]) for m in moves(definition)})


@pytest.mark.parametrize(("key", "layout"), CASES)
def test_the_current_state_is_marked_and_named(key, layout):
    definition = WORKFLOWS[key]
    for state in definition.states:
        root = svg(key, layout, current=state)
        marked = [g.get("data-state") for g in root.iter(f"{NS}g") if g.get("aria-current")]
        assert marked == [state]
        assert boxes(root)[state].get("aria-current") == "step"
        label = definition.states[state].label
        assert root.find(f"{NS}title").text == f"{definition.name}(当前状态:{label})"
        assert root.get("aria-label") == root.find(f"{NS}title").text
    assert not [g for g in svg(key, layout).iter(f"{NS}g") if g.get("aria-current")]


def test_the_current_state_is_filled_and_closed_states_are_told_apart():
    definition = WORKFLOWS["work_team"]
    found = boxes(svg("work_team", "horizontal", current="rectifying"))
    fill = {state: g.find(f"{NS}rect").get("fill") for state, g in found.items()}
    assert len({fill["rectifying"], fill["assigned"], fill["verified"], fill["dismissed"]}) == 4
    # A closed or final state has a double border; an open one a single one.
    for state, g in found.items():
        assert len(g.findall(f"{NS}rect")) == (2 if definition.is_closed(state) else 1)


@pytest.mark.parametrize(("key", "layout"), CASES)
def test_the_image_is_titled_described_and_scales(key, layout):
    definition = WORKFLOWS[key]
    root = svg(key, layout)
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert len(root.get("viewBox").split()) == 4
    assert root.find(f"{NS}title").text == definition.name
    desc = root.find(f"{NS}desc").text
    on_the_way = [s.label for s in definition.states.values() if s.key != "dismissed"]
    assert desc.startswith("状态依次为:" + "、".join(on_the_way) + ";另有:不予立项。")
    assert all(label in desc for *_, label in moves(definition))


def test_a_title_given_replaces_the_workflow_name():
    root = ET.fromstring(render_svg(WORKFLOWS["default"], current="found", title="QS-2026-0042 的流程"))
    assert root.find(f"{NS}title").text == "QS-2026-0042 的流程(当前状态:发现问题)"


@pytest.mark.parametrize(("key", "layout"), CASES)
def test_nothing_overlaps(key, layout):
    root = svg(key, layout, current="rectifying")
    texts = text_areas(root)
    for i, (a, area) in enumerate(texts):
        for b, other in texts[i + 1:]:
            assert not overlap(area, other), (a, b)
    rects = {state: rect_of(g) for state, g in boxes(root).items()}
    states = list(rects.values())
    for i, a in enumerate(states):
        assert not any(overlap(a, b) for b in states[i + 1:])
    for g in arrows(root):
        for text, area in text_areas(g):
            assert not any(overlap(area, r) for r in states), text
        # No arrow runs through a box other than its own two.
        d = g.find(f"{NS}path").get("d")
        points = [tuple(map(float, p.split(","))) for p in re.findall(r"-?[\d.]+,-?[\d.]+", d)]
        others = [r for s, r in rects.items() if s not in (g.get("data-from"), g.get("data-to"))]
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            for step in range(21):
                x, y = x0 + (x1 - x0) * step / 20, y0 + (y1 - y0) * step / 20
                assert not any(r[0] < x < r[2] and r[1] < y < r[3] for r in others), g.get("data-event")


@pytest.mark.parametrize("key", WORKFLOWS)
def test_the_vertical_drawing_is_readable_on_a_phone(key):
    """Scaled to a 375 px screen, no text comes out smaller than 12 px."""
    root = svg(key, "vertical", current="rectifying")
    width = float(root.get("viewBox").split()[2])
    smallest = min(float(t.get("font-size")) for t in root.iter(f"{NS}text"))
    assert smallest * min(1.0, PHONE_WIDTH / width) >= 12
    # The horizontal one is the wider: the page shows it on wide screens only.
    assert float(svg(key, "horizontal").get("viewBox").split()[2]) > width


def hostile_definition(name: str = f"流程{HOSTILE}{QUOTES}"):
    return parse({
        "key": "hostile",
        "name": name,
        "initial": "found",
        "states": {
            "found": {"label": HOSTILE},
            "rectifying": {"label": f"整改{QUOTES}"},
            "verified": {"label": "已销号\x00\ufffe</text>", "final": True},
        },
        "events": {
            "start": {"label": f"{QUOTES}<b onclick=alert(1)>", "from": ["found"], "to": "rectifying",
                      "roles": ["unit"]},
            "verify": {"label": HOSTILE, "from": ["rectifying"], "to": "verified", "roles": ["leader"]},
            "reject": {"label": '"><svg onload=alert(1)>', "from": ["rectifying"], "to": "found",
                       "roles": ["leader"]},
        },
    }, source="test")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_hostile_labels_come_out_as_text(layout):
    definition = hostile_definition()
    out = render_svg(definition, current="found", title=f"{HOSTILE}{QUOTES}", layout=layout)
    root = ET.fromstring(out)
    assert {element.tag.removeprefix(NS) for element in root.iter()} <= DRAWING_ELEMENTS
    assert not [name for element in root.iter() for name in element.attrib if name.lower().startswith("on")]
    assert "<script" not in out and "<b " not in out and "<svg onload" not in out
    found = boxes(root)
    assert text_of(found["found"]) == HOSTILE
    assert text_of(found["rectifying"]) == f"整改{QUOTES}"
    # Characters XML cannot carry are replaced, not passed on to break the page.
    assert text_of(found["verified"]) == "已销号\ufffd\ufffd</text>"
    labels = {g.get("data-event"): text_of(g) for g in arrows(root)}
    assert labels == {"start": f"{QUOTES}<b onclick=alert(1)>", "verify": HOSTILE,
                      "reject": '"><svg onload=alert(1)>'}
    assert root.find(f"{NS}title").text == f"{HOSTILE}{QUOTES}(当前状态:{HOSTILE})"
    assert HOSTILE in root.find(f"{NS}desc").text


@pytest.mark.parametrize("layout", LAYOUTS)
def test_nothing_outside_the_image_is_referenced(layout):
    for definition in [*WORKFLOWS.values(), hostile_definition()]:
        out = render_svg(definition, current=definition.initial, layout=layout)
        root = ET.fromstring(out)
        assert not [name for element in root.iter() for name in element.attrib if name.endswith("href")]
        assert re.findall(r"url\(([^)]*)\)", out) == [f"#casework-arrow-{definition.key}-{layout[0]}"]
        assert root.find(f".//{NS}marker").get("id") == f"casework-arrow-{definition.key}-{layout[0]}"


def test_a_long_label_wraps_and_keeps_its_full_text_as_a_tooltip():
    long = "一个非常长的状态名称" * 4
    definition = parse({
        "key": "long", "name": "长标签", "initial": "found",
        "states": {"found": {"label": long}, "verified": {"label": "已销号", "final": True}},
        "events": {"verify": {"label": "验收通过", "from": ["found"], "to": "verified", "roles": ["leader"]}},
    }, source="test")
    for layout in LAYOUTS:
        g = boxes(ET.fromstring(render_svg(definition, layout=layout)))["found"]
        lines = [span.text for span in g.iter(f"{NS}tspan")]
        assert len(lines) == 3 and lines[-1].endswith("…")
        assert g.find(f"{NS}title").text == long


@pytest.mark.parametrize(("key", "layout"), CASES)
def test_the_same_workflow_draws_the_same_small_image(key, layout):
    first = render_svg(WORKFLOWS[key], current="assigned", layout=layout)
    again, _ = load_folder(workflows_dir())
    assert render_svg(again[key], current="assigned", layout=layout) == first
    assert len(first.encode()) < 8 * 1024


def test_an_unknown_state_or_layout_is_refused():
    with pytest.raises(ValueError, match="not a state"):
        render_svg(WORKFLOWS["default"], current="archived")
    with pytest.raises(ValueError, match="layout"):
        render_svg(WORKFLOWS["default"], layout="diagonal")
