"""A workflow drawn as a small, self-contained SVG: states as boxes, moving events as arrows.

Drawn in pure Python so that the embedded install needs no Graphviz and the page no diagram
script. The layout is worked out along two axes, `u` (the way a case moves: left to right, or top
to bottom when vertical) and `v` (across it), and only turned into x and y at the end:

- states sit in layers by their distance from the initial state along events that move the case;
  the longest chain of one-layer steps is the main line, and every other state goes in a second
  row beside the layer it is first reached in (dismissed sits beside assigned);
- an event between neighbours in a row is a straight arrow; one that goes back along the main line
  (reject, reopen) runs dashed in a lane above it (left of it when vertical), outer lanes over
  inner ones, so no arrow crosses a box; an arrow between rows runs straight, or bends once
  through empty cells, or else slants past the boxes in its way;
- an event that leaves the case where it is (note, extend, reassign) is not drawn: it may be fired
  in nearly every state, so listing it under each box would double the drawing and tell nothing
  about where a case goes; the case page offers the events allowed now.

Labels come from workflow files, which are untrusted: every one is escaped, and characters XML
cannot carry are replaced. Styling is by presentation attributes only, so a page whose Content
Security Policy forbids inline styles shows the drawing unchanged, and its CSS can still override it.
"""

from __future__ import annotations

import html
import unicodedata
from collections import deque
from dataclasses import dataclass, field

from casework.workflows.definition import EventDef, WorkflowDefinition

LAYOUTS = ("horizontal", "vertical")
FONT_FAMILY = "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif"
STATE_SIZE, EDGE_SIZE = 14, 12  # font sizes in the drawing's own units
LINE_HEIGHT = 1.3  # em
# Long labels wrap at this many em and stop after MAX_LINES with an ellipsis (the full text stays
# in a tooltip), so one wordy label cannot stretch the drawing past a phone's width.
STATE_WRAP_EM, EDGE_WRAP_EM, MAX_LINES = 8, 7, 3
PAD_X, PAD_Y, MARGIN, CORNER = 10, 8, 8, 6
LANE_STEP = 14  # between the lanes of a vertical drawing
PORT_STEP = 9  # least room per arrow along a box's side

PAPER, EDGE_INK, LABEL_INK = "#ffffff", "#64748b", "#475569"
# fill, border, text
LOOKS = {
    "open": ("#ffffff", "#94a3b8", "#1e293b"),
    "closed": ("#ecfdf5", "#059669", "#065f46"),
    "final": ("#f1f5f9", "#64748b", "#475569"),
    "current": ("#2563eb", "#1d4ed8", "#ffffff"),
}


@dataclass(frozen=True)
class _Text:
    lines: tuple[str, ...]
    size: int
    full: str
    cut: bool

    @property
    def width(self) -> float:
        return max(_em(line) for line in self.lines) * self.size

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * LINE_HEIGHT


@dataclass
class _Edge:
    """One arrow: every event leading from `source` to `target` (parallel ones share it)."""

    index: int
    source: str
    target: str
    events: list[EventDef]
    text: _Text | None = None
    kind: str = ""  # step, lane, under, line, bend or slant
    back: bool = False  # leads to an earlier layer: drawn dashed
    level: int = 0  # a lane's distance from its row
    band: int | None = None  # the gap a vertical lane's label sits in
    ends: list = field(default_factory=lambda: [None, None])


def _char_em(ch: str) -> float:
    # CJK, full-width and ambiguous characters (… — “) fill an em in CJK fonts; Latin ~0.6 em.
    return 1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.6


def _em(text: str) -> float:
    return sum(_char_em(ch) for ch in text)


def _clean(text: str) -> str:
    # XML 1.0 cannot carry control characters, lone surrogates or U+FFFE/U+FFFF, even escaped.
    out = []
    for ch in text:
        if ch in "\t\n\r":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff":
            out.append("\ufffd")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def _text(label: str, size: int, wrap_em: float) -> _Text:
    full = _clean(label)
    lines, line = [], ""
    for ch in full:
        if line and _em(line + ch) > wrap_em:
            lines.append(line.rstrip())
            line = ""
            if ch == " ":
                continue
        line += ch
    lines.append(line)
    cut = len(lines) > MAX_LINES
    if cut:
        last = lines[MAX_LINES - 1]
        while last and _em(last) + 1 > wrap_em:
            last = last[:-1]
        lines = lines[: MAX_LINES - 1] + [last + "…"]
    return _Text(tuple(lines), size, full, cut)


def _moving_edges(definition: WorkflowDefinition) -> list[_Edge]:
    grouped: dict[tuple[str, str], list[EventDef]] = {}
    for event in definition.events.values():
        for source in event.sources:
            if event.target is not None and source != event.target:
                grouped.setdefault((source, event.target), []).append(event)
    return [_Edge(i, s, t, events) for i, ((s, t), events) in enumerate(grouped.items())]


def _layers(definition: WorkflowDefinition, edges: list[_Edge]) -> dict[str, int]:
    layer = {definition.initial: 0}
    queue = deque([definition.initial])
    while queue:
        state = queue.popleft()
        for edge in edges:
            if edge.source == state and edge.target not in layer:
                layer[edge.target] = layer[state] + 1
                queue.append(edge.target)
    # Validation refuses unreachable states; should one slip through it still gets drawn, last.
    after = max(layer.values()) + 1
    return {key: layer.get(key, after) for key in definition.states}


def _main_line(definition: WorkflowDefinition, edges: list[_Edge], layer: dict[str, int]) -> list[str]:
    """The longest chain of one-layer steps from the initial state; ties go to the state declared first."""
    order = list(definition.states)
    best: dict[str, list[str]] = {}
    for key in sorted(order, key=lambda k: -layer[k]):
        nexts = sorted({e.target for e in edges if e.source == key and layer[e.target] == layer[key] + 1},
                       key=order.index)
        best[key] = [key, *max((best[n] for n in nexts), key=len, default=[])]
    return best[definition.initial]


def _cells(definition: WorkflowDefinition, layer: dict[str, int], main: list[str],
           narrow: bool) -> dict[str, tuple[int, int]]:
    """(column, row) of each state: the main line in row 0, the others in row 1 beside the layer
    they are reached in. Where that cell is taken, a narrow drawing looks further along row 1
    (another row would widen it past a phone's screen), a wide one opens another row."""
    cell = {key: (layer[key], 0) for key in main}
    taken = set(cell.values())
    last = len(main) - 1
    for key in definition.states:
        if key in cell:
            continue
        col, row = layer[key], 1
        while (col, row) in taken:
            col, row = (col + 1, row) if narrow and col < last else (layer[key], row + 1)
        cell[key] = (col, row)
        taken.add(cell[key])
    return cell


def _need(text: _Text, along_x: bool) -> float:
    """The length a straight arrow needs to carry its label beside it."""
    return text.width + 24 if along_x else text.height + 12


@dataclass
class _Drawing:
    vertical: bool
    box_w: float
    box_h: float
    boxes: dict[str, tuple[float, float]]  # top-left corner in (u, v)
    texts: dict[str, _Text]
    edges: list[_Edge]
    lane_v: dict[int, float]
    under_v: dict[tuple[int, int], float]
    band_u: list[float]  # the middle of each gap between columns, along u
    cell: dict[str, tuple[int, int]]

    def xy(self, u: float, v: float) -> tuple[float, float]:
        return (v, u) if self.vertical else (u, v)


def _kind(cell: dict[str, tuple[int, int]], edge: _Edge) -> str:
    (cs, rs), (ct, rt) = cell[edge.source], cell[edge.target]
    if rs == rt and ct == cs + 1:
        return "step"
    if rs == rt == 0:
        return "lane"
    if rs == rt and abs(cs - ct) > 1:
        return "under"
    if rs == rt or cs == ct:
        return "line"
    (uc, ur), (lc, lr) = sorted((cell[edge.source], cell[edge.target]), key=lambda c: c[1])
    # A bend runs down from the upper box and along the lower one's row, so only through empty cells;
    # where a box is in the way a slanting line does better.
    passes = {(uc, r) for r in range(ur + 1, lr + 1)} | {(c, lr) for c in range(min(uc, lc), max(uc, lc) + 1)}
    return "bend" if not (passes - {(lc, lr)}) & set(cell.values()) else "slant"


def _layout(definition: WorkflowDefinition, vertical: bool) -> _Drawing:
    edges = _moving_edges(definition)
    layer = _layers(definition, edges)
    cell = _cells(definition, layer, _main_line(definition, edges, layer), vertical)
    texts = {k: _text(s.label, STATE_SIZE, STATE_WRAP_EM) for k, s in definition.states.items()}
    for edge in edges:
        edge.text = _text("、".join(e.label for e in edge.events), EDGE_SIZE, EDGE_WRAP_EM)
        edge.kind = _kind(cell, edge)
        edge.back = cell[edge.target][0] < cell[edge.source][0]

    # Lanes run above the main line, and below the other rows: a lane goes one level further out
    # than every lane of its row it overlaps that is already placed (the shorter ones), so an outer
    # arc never dips under an inner one.
    arcs = sorted((e for e in edges if e.kind in ("lane", "under")),
                  key=lambda e: (abs(cell[e.source][0] - cell[e.target][0]), e.index))
    spans: list[tuple[int, int, int, _Edge]] = []
    for edge in arcs:
        row = cell[edge.source][1]
        lo, hi = sorted((cell[edge.source][0], cell[edge.target][0]))
        edge.level = 1 + max((o.level for r, a, b, o in spans if r == row and max(lo, a) < min(hi, b)),
                             default=-1)
        spans.append((row, lo, hi, edge))
    lanes = [e for e in arcs if e.kind == "lane"]

    # Bold text of the current state is a little wider; every box gets the same size.
    box_w = max(64.0, max(t.width * 1.06 for t in texts.values()) + 2 * PAD_X)
    box_h = max(t.height for t in texts.values()) + 2 * PAD_Y
    if vertical:
        per_box: dict[str, int] = {}
        for edge in arcs:
            for key in (edge.source, edge.target):
                per_box[key] = per_box.get(key, 0) + 1
        box_h = max(box_h, (max(per_box.values(), default=0) + 1) * PORT_STEP)
    bu, bv = (box_h, box_w) if vertical else (box_w, box_h)
    ncols = max(c for c, _ in cell.values()) + 1
    nrows = max(r for _, r in cell.values()) + 1
    ugap = [28.0 if vertical else 44.0] * (ncols - 1)
    vgap = [40.0] * (nrows - 1)

    for edge in edges:
        (cs, rs), (ct, rt) = cell[edge.source], cell[edge.target]
        if rs == rt and abs(cs - ct) == 1:
            ugap[min(cs, ct)] = max(ugap[min(cs, ct)], _need(edge.text, not vertical))
            if vertical and rs + 1 < nrows:
                # The label sits right of the arrow and must stop short of the next row's boxes.
                vgap[rs] = max(vgap[rs], edge.text.width + 12 - bv / 2)
        elif edge.kind == "under" and rs + 1 < nrows:
            vgap[rs] = max(vgap[rs], 30 + edge.level * LANE_STEP + edge.text.height)
        elif cs == ct and abs(rs - rt) == 1:
            vgap[min(rs, rt)] = max(vgap[min(rs, rt)], _need(edge.text, vertical))
        elif edge.kind == "bend":
            # A bend carries its label on the part that runs across the screen.
            if not vertical and abs(cs - ct) == 1:
                ugap[min(cs, ct)] = max(ugap[min(cs, ct)], _need(edge.text, True) - bu / 2)
            if vertical and abs(rs - rt) == 1:
                vgap[min(rs, rt)] = max(vgap[min(rs, rt)], _need(edge.text, True) - bv / 2)
    if vertical:
        _choose_bands(lanes, cell)
        for edge in lanes:
            ugap[edge.band] = max(ugap[edge.band], _need(edge.text, False))

    u_at = [sum(bu + g for g in ugap[:c]) for c in range(ncols)]
    v_at = [sum(bv + g for g in vgap[:r]) for r in range(nrows)]
    boxes = {key: (u_at[c], v_at[r]) for key, (c, r) in cell.items()}
    _attach(edges, cell, boxes, bu, bv)

    lane_v: dict[int, float] = {}
    under_v: dict[tuple[int, int], float] = {}
    levels = sorted({e.level for e in lanes})
    if vertical:
        # Each lane's label runs from its lane towards the main line and stops short of the arrows.
        first = min([-12.0] + [bv / 2 - 10 - e.text.width + e.level * LANE_STEP for e in lanes])
        lane_v = {level: first - level * LANE_STEP for level in levels}
    elif levels:
        # Above the main line, clear of the labels sitting over its arrows.
        tops = [e.ends[0][1] - 3 - e.text.height for e in edges if e.kind == "step" and cell[e.source][1] == 0]
        at = min([-12.0] + [t - 5 for t in tops])
        for level in levels:
            lane_v[level] = at
            at -= max(e.text.height for e in lanes if e.level == level) + 7
    for edge in arcs:
        if edge.kind == "under":
            # Below its row; a wide drawing's label goes under the line, so the lanes part by it.
            row = cell[edge.source][1]
            step = LANE_STEP if vertical else max(e.text.height for e in arcs if e.kind == "under") + 10
            under_v[(row, edge.level)] = v_at[row] + bv + 12 + edge.level * step
    band_u = [u_at[c] + bu + ugap[c] / 2 for c in range(ncols - 1)]
    return _Drawing(vertical, box_w, box_h, boxes, texts, edges, lane_v, under_v, band_u, cell)


def _choose_bands(lanes: list[_Edge], cell: dict[str, tuple[int, int]]) -> None:
    """For each vertical lane, the gap between two layers of its span where its label goes: one no
    lane inside it also passes through and no other label has taken, when there is one."""
    taken: set[int] = set()
    for edge in sorted(lanes, key=lambda e: (e.level, e.index)):
        lo, hi = sorted((cell[edge.source][0], cell[edge.target][0]))
        bands = list(range(lo, hi))
        inner = {b for o in lanes if o.level < edge.level
                 for b in range(*sorted((cell[o.source][0], cell[o.target][0])))}
        free = [b for b in bands if b not in taken]
        clear = [b for b in free if b not in inner]
        edge.band = (clear or free or bands[len(bands) // 2:])[0]
        taken.add(edge.band)


def _attach(edges: list[_Edge], cell, boxes, bu: float, bv: float) -> None:
    """Where each arrow leaves and enters a box: arrows sharing a side are spread along it, in the
    order that keeps them from crossing."""
    sides: dict[tuple[str, str, int], list] = {}

    def cu(key: str) -> float:
        return boxes[key][0] + bu / 2

    def cv(key: str) -> float:
        return boxes[key][1] + bv / 2

    def put(edge: _Edge, end: int, key: str, axis: str, sign: int, order: tuple) -> None:
        sides.setdefault((key, axis, sign), []).append((order, end, edge))

    for edge in edges:
        s, t, i = edge.source, edge.target, edge.index
        (cs, rs), (ct, rt) = cell[s], cell[t]
        if edge.kind in ("lane", "under"):
            for end, key, other in ((0, s, t), (1, t, s)):
                # Arcs leaving towards the start come first, inner ones nearest; then those going
                # on, outer ones first.
                toward_start = cell[other][0] < cell[key][0]
                put(edge, end, key, "v", -1 if edge.kind == "lane" else 1,
                    (0, edge.level, i) if toward_start else (1, -edge.level, i))
        elif edge.kind == "slant":
            edge.ends = _clip_line(boxes[s], boxes[t], bu, bv)
        elif rs == rt:
            left, right = (0, 1) if cs < ct else (1, 0)
            put(edge, left, (s, t)[left], "u", 1, (cv(t), 0, i))
            put(edge, right, (s, t)[right], "u", -1, (cv(s), 0, i))
        elif cs == ct:
            upper, lower = (0, 1) if rs < rt else (1, 0)
            put(edge, upper, (s, t)[upper], "v", 1, (cu(s), 0, i))
            put(edge, lower, (s, t)[lower], "v", -1, (cu(s), 0, i))
        else:
            upper, lower = (0, 1) if rs < rt else (1, 0)
            high, low = (s, t)[upper], (s, t)[lower]
            # Bends sharing a side nest: the one that turns nearest runs innermost.
            rightward = cell[high][0] < cell[low][0]
            sign = -1 if rightward else 1
            put(edge, upper, high, "v", 1, (cu(low), sign * cv(low), i))
            put(edge, lower, low, "u", sign, (cv(high), sign * cu(high), sign * i))
    for (key, axis, sign), ports in sorted(sides.items()):
        ports.sort(key=lambda p: p[0])
        u0, v0 = boxes[key]
        for n, (_, end, edge) in enumerate(ports):
            share = (n + 1) / (len(ports) + 1)
            if axis == "u":
                edge.ends[end] = (u0 + (bu if sign > 0 else 0), v0 + bv * share)
            else:
                edge.ends[end] = (u0 + bu * share, v0 + (bv if sign > 0 else 0))


def _clip_line(a: tuple[float, float], b: tuple[float, float], bu: float, bv: float):
    """The straight line between two boxes' centres, from border to border."""
    (au, av), (bu0, bv0) = (a[0] + bu / 2, a[1] + bv / 2), (b[0] + bu / 2, b[1] + bv / 2)
    du, dv = bu0 - au, bv0 - av
    # The share of the way at which the line leaves a box around its centre.
    t = min(bu / 2 / abs(du) if du else 1.0, bv / 2 / abs(dv) if dv else 1.0)
    return [(au + du * t, av + dv * t), (bu0 - du * t, bv0 - dv * t)]


def _route(drawing: _Drawing, edge: _Edge) -> list[tuple[float, float]]:
    """The arrow's corners in (u, v)."""
    (us, vs), (ut, vt) = edge.ends
    if edge.kind == "lane":
        lane = drawing.lane_v[edge.level]
        return [(us, vs), (us, lane), (ut, lane), (ut, vt)]
    if edge.kind == "under":
        lane = drawing.under_v[(drawing.cell[edge.source][1], edge.level)]
        return [(us, vs), (us, lane), (ut, lane), (ut, vt)]
    if edge.kind != "bend":
        return [(us, vs), (ut, vt)]
    # Along v beside the upper box, then along u into the lower one.
    upper_is_source = drawing.boxes[edge.source][1] < drawing.boxes[edge.target][1]
    corner = (us, vt) if upper_is_source else (ut, vs)
    return [(us, vs), corner, (ut, vt)]


def _label_box(drawing: _Drawing, edge: _Edge, points: list[tuple[float, float]], flip: bool):
    """(x, y of the top, anchor) of the arrow's label: above a part running across the screen,
    else right of a part running down it; `flip` puts it on the other side (below, or left), clear
    of an arrow running back beside this one."""
    text = edge.text
    if edge.kind == "lane" and drawing.vertical:
        return points[1][0] + 5, drawing.band_u[edge.band] - text.height / 2, "start"
    if edge.kind == "slant":
        # A third of the way along (two thirds when flipped), so that the labels of two lines
        # running back and forth part.
        (x0, y0), (x1, y1) = points
        share = 2 / 3 if flip else 1 / 3
        return x0 + (x1 - x0) * share, y0 + (y1 - y0) * share - text.height / 2, "middle"
    # A lane's label goes with the part running along the row, the rest by the longest part.
    segments = [tuple(points[1:3])] if edge.kind in ("lane", "under") else list(zip(points, points[1:]))
    across = [(p, q) for p, q in segments if abs(p[1] - q[1]) < 0.5 and abs(p[0] - q[0]) >= 0.5]
    if across:
        p, q = max(across, key=lambda seg: abs(seg[0][0] - seg[1][0]))
        return (p[0] + q[0]) / 2, p[1] + 3 if flip else p[1] - 3 - text.height, "middle"
    p, q = max(segments, key=lambda seg: abs(seg[0][1] - seg[1][1]))
    x = (p[0] + q[0]) / 2
    return (x - 6 if flip else x + 6), (p[1] + q[1]) / 2 - text.height / 2, "end" if flip else "start"


def _placed_labels(drawing: _Drawing) -> dict[int, tuple[float, float, str]]:
    """Each arrow's label, moved to the far side of its arrow where the near side would cover a
    box or another label (two arrows running back and forth side by side: one label goes above,
    the other below)."""
    boxes = [(x, y, x + drawing.box_w, y + drawing.box_h)
             for x, y in (drawing.xy(u, v) for u, v in drawing.boxes.values())]
    spots: dict[int, list] = {}
    for edge in drawing.edges:
        points = [drawing.xy(u, v) for u, v in _route(drawing, edge)]
        sides = {"lane": (False,), "under": (not drawing.vertical,)}.get(edge.kind, (False, True))
        spots[edge.index] = [_label_box(drawing, edge, points, flip) for flip in sides]
    by_index = {edge.index: edge for edge in drawing.edges}
    placed: dict[int, tuple[float, float, str]] = {}

    def clear(index: int, spot, ignore: int | None = None) -> bool:
        area = _extent(by_index[index], spot)
        return not any(_overlap(area, b) for b in boxes) and not any(
            _overlap(area, _extent(by_index[i], s)) for i, s in placed.items() if i != ignore)

    for edge in drawing.edges:
        near, *far = spots[edge.index]
        chosen = next((spot for spot in (near, *far) if clear(edge.index, spot)), None)
        if chosen is None:
            # Make way: move a label already placed to its far side, if that clears both.
            for i, spot in list(placed.items()):
                if len(spots[i]) > 1 and spot == spots[i][0] and _overlap(
                        _extent(edge, near), _extent(by_index[i], spot)):
                    placed[i] = spots[i][1]
                    if clear(i, spots[i][1], ignore=i) and clear(edge.index, near):
                        chosen = near
                        break
                    placed[i] = spot
        placed[edge.index] = chosen or near
    return placed


def _extent(edge: _Edge, spot: tuple[float, float, str]) -> tuple[float, float, float, float]:
    x, top, anchor = spot
    width = edge.text.width
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return left, top, left + width, top + edge.text.height


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _n(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _path(points: list[tuple[float, float]]) -> str:
    """A polyline with its corners rounded."""
    d = [f"M{_n(points[0][0])},{_n(points[0][1])}"]
    for prev, cur, nxt in zip(points, points[1:], points[2:]):
        r = min(CORNER, _dist(prev, cur) / 2, _dist(cur, nxt) / 2)
        a, b = _toward(cur, prev, r), _toward(cur, nxt, r)
        d.append(f"L{_n(a[0])},{_n(a[1])}Q{_n(cur[0])},{_n(cur[1])} {_n(b[0])},{_n(b[1])}")
    d.append(f"L{_n(points[-1][0])},{_n(points[-1][1])}")
    return "".join(d)


def _dist(p, q) -> float:
    return ((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2) ** 0.5


def _toward(p, q, r: float):
    d = _dist(p, q) or 1.0
    return p[0] + (q[0] - p[0]) * r / d, p[1] + (q[1] - p[1]) * r / d


def _text_element(text: _Text, x: float, top: float, anchor: str, ink: str, extra: str = "") -> str:
    line = text.size * LINE_HEIGHT
    spans = "".join(
        f'<tspan x="{_n(x)}" y="{_n(top + line * i + line / 2 + text.size * 0.36)}">{_esc(part)}</tspan>'
        for i, part in enumerate(text.lines))
    return f'<text text-anchor="{anchor}" font-size="{text.size}" fill="{ink}"{extra}>{spans}</text>'


def render_svg(definition: WorkflowDefinition, *, current: str | None = None, title: str | None = None,
               layout: str = "horizontal") -> str:
    """The workflow as an SVG document (a string to embed inline), `current` highlighted."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    if current is not None and current not in definition.states:
        raise ValueError(f"{current!r} is not a state of workflow {definition.key!r}")
    drawing = _layout(definition, layout == "vertical")
    labels = _placed_labels(drawing)
    # Unique per workflow and layout: a page showing both layouts hides one, and a marker inside a
    # hidden <svg> may not be drawn for the other.
    marker = _esc(f"casework-arrow-{definition.key}-{layout[0]}")

    # Arrows share their stroke and marker through the group; their labels get a halo of paper
    # colour so that a line passing behind them leaves them legible.
    parts = [f'<g fill="none" stroke="{EDGE_INK}" stroke-width="1.5" marker-end="url(#{marker})">']
    extents: list[tuple[float, float, float, float]] = []  # x0, y0, x1, y1 of everything drawn
    halo = f' stroke="{PAPER}" stroke-width="4" stroke-linejoin="round" paint-order="stroke"'
    for edge in drawing.edges:
        points = [drawing.xy(u, v) for u, v in _route(drawing, edge)]
        x, top, anchor = labels[edge.index]
        extents.append(_extent(edge, labels[edge.index]))
        extents.extend((px, py, px, py) for px, py in points)
        dash = ' stroke-dasharray="5 3"' if edge.back else ""
        tip = f"<title>{_esc(edge.text.full)}</title>" if edge.text.cut else ""
        parts.append(
            f'<g class="edge" data-event="{_esc(" ".join(e.key for e in edge.events))}" '
            f'data-from="{_esc(edge.source)}" data-to="{_esc(edge.target)}">{tip}'
            f'<path d="{_path(points)}"{dash}/>{_text_element(edge.text, x, top, anchor, LABEL_INK, halo)}</g>')
    parts.append("</g>")

    for key, state in definition.states.items():
        u, v = drawing.boxes[key]
        x, y = drawing.xy(u, v)
        w, h = drawing.box_w, drawing.box_h
        extents.append((x, y, x + w, y + h))
        look = "current" if key == current else "final" if state.final else "closed" if state.closed else "open"
        fill, border, ink = LOOKS[look]
        text = drawing.texts[key]
        attrs = ' aria-current="step"' if key == current else ""
        shape = (f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="{CORNER}" '
                 f'fill="{fill}" stroke="{border}" stroke-width="{2 if key == current else 1.5}"/>')
        if state.final or state.closed:
            # A double border marks a state the deadline clock no longer runs in.
            inner = "#ffffff" if key == current else border
            shape += (f'<rect x="{_n(x + 3)}" y="{_n(y + 3)}" width="{_n(w - 6)}" height="{_n(h - 6)}" '
                      f'rx="{CORNER - 2}" fill="none" stroke="{inner}"/>')
        weight = ' font-weight="bold"' if key == current else ""
        tip = f"<title>{_esc(text.full)}</title>" if text.cut else ""
        parts.append(
            f'<g class="state" data-state="{_esc(key)}"{attrs}>{tip}{shape}'
            f'{_text_element(text, x + w / 2, y + (h - text.height) / 2, "middle", ink, weight)}</g>')

    x0 = min(e[0] for e in extents) - MARGIN
    y0 = min(e[1] for e in extents) - MARGIN
    width = max(e[2] for e in extents) + MARGIN - x0
    height = max(e[3] for e in extents) + MARGIN - y0
    name = _clean(title if title is not None else definition.name)
    if current is not None:
        name += f"(当前状态:{_clean(definition.states[current].label)})"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{_n(x0)} {_n(y0)} {_n(width)} {_n(height)}" '
        f'width="100%" role="img" aria-label="{_esc(name)}" lang="zh-CN" font-family="{FONT_FAMILY}">'
        f"<title>{_esc(name)}</title><desc>{_esc(_description(definition, drawing))}</desc>"
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        f'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,1L10,5L0,9z" fill="{EDGE_INK}"/></marker></defs>'
        f'<rect x="{_n(x0)}" y="{_n(y0)}" width="{_n(width)}" height="{_n(height)}" fill="{PAPER}"/>'
        + "".join(parts) + "</svg>"
    )


def _description(definition: WorkflowDefinition, drawing: _Drawing) -> str:
    """The states in order along the main line, then the others, then every arrow, in words."""
    label = {k: _clean(s.label) for k, s in definition.states.items()}
    main = sorted((k for k in definition.states if drawing.cell[k][1] == 0), key=lambda k: drawing.cell[k][0])
    others = [k for k in definition.states if k not in main]
    text = "状态依次为:" + "、".join(label[k] for k in main)
    if others:
        text += ";另有:" + "、".join(label[k] for k in others)
    moves = [f"{_clean(e.label)}:{label[edge.source]}至{label[edge.target]}"
             for edge in drawing.edges for e in edge.events]
    return text + "。流转:" + ";".join(moves) + "。" if moves else text + "。"
