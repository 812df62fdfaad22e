"""Charts drawn on the server as small SVG: no chart script to download, nothing to run on a phone.

Only the graphics are SVG; their words and numbers stay HTML around them, so text keeps its size at
375 px while the drawing stretches to the width it is given. Sizes and colours are presentation
attributes (the pages' Content Security Policy allows no inline style), which the CSS may override.
"""

from __future__ import annotations

from markupsafe import Markup, escape

TONES = {"blue": "#2563eb", "red": "#dc2626", "green": "#059669", "amber": "#d97706", "slate": "#64748b"}
TRACK = "#e2e8f0"


def bar(value: float, most: float, tone: str = "blue") -> Markup:
    """A horizontal bar `value` long on a track `most` long (decorative: the number is beside it)."""
    share = 0.0 if most <= 0 else max(0.0, min(1.0, value / most))
    return Markup(
        '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
        f'<rect width="100" height="10" rx="2" fill="{TRACK}"/>'
        f'<rect width="{share * 100:.2f}" height="10" rx="2" fill="{TONES[tone]}"/></svg>')


def split_bar(parts: list[tuple[float, str]], most: float) -> Markup:
    """One bar made of parts laid end to end, each (value, tone)."""
    x, rects = 0.0, []
    for value, tone in parts:
        width = 0.0 if most <= 0 else value / most * 100
        if width > 0:
            rects.append(f'<rect x="{x:.2f}" width="{width:.2f}" height="10" fill="{TONES[tone]}"/>')
        x += width
    return Markup('<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" '
                  f'focusable="false"><rect width="100" height="10" fill="{TRACK}"/>{"".join(rects)}</svg>')


WIDTH, HEIGHT = 300, 100


def line(values: list[float | None], *, label: str) -> Markup:
    """A line over time from 0 to 1 (a rate), left to right, with faint quarter lines; days without
    a value leave a gap. `label` says in words what it shows (the drawing's accessible name)."""
    step = WIDTH / max(1, len(values) - 1)
    runs: list[list[str]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(f"{i * step:.1f},{HEIGHT - value * HEIGHT:.1f}")
    grid = "".join(f'<line x1="0" x2="{WIDTH}" y1="{HEIGHT * q / 4:.0f}" y2="{HEIGHT * q / 4:.0f}" '
                   f'stroke="{TRACK}" vector-effect="non-scaling-stroke"/>' for q in range(5))
    # A value alone (the first day with any case) is drawn as a short level stroke, to be seen.
    runs = [run if len(run) > 1 else [f"{max(0.0, float(run[0].split(',')[0]) - step / 2):.1f},{run[0].split(',')[1]}",
                                      run[0]] for run in runs if run]
    paths = "".join(f'<polyline points="{" ".join(run)}" fill="none" stroke="{TONES["green"]}" stroke-width="2.5" '
                    'stroke-linejoin="round" vector-effect="non-scaling-stroke"/>' for run in runs)
    return Markup(f'<svg class="line" viewBox="0 0 {WIDTH} {HEIGHT}" preserveAspectRatio="none" role="img" '
                  f'aria-label="{escape(label)}" focusable="false">{grid}{paths}</svg>')
