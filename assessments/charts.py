"""Charts drawn on the server as SVG: no chart library, no script, no style attribute (the CSP forbids
them), so they show the same with JavaScript off and print as they look.

Each chart is an `<svg role="img">` with a title and a text alternative (`<desc>`), axis titles, and
a legend. Colours are dark enough to stand out against white (3:1 at least) and each series also has
its own pattern (bars) or marker and dash (lines), with totals written on the bars: colour never
carries meaning on its own. The numbers behind every chart are in a table beside it.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

# Dark enough on white for non-text contrast (WCAG 1.4.11) and apart from each other; tested.
PALETTE = ["#a3161c", "#9c4a00", "#0b4f8a", "#5b3a8c", "#2c6a2e", "#4a4a4a"]
INK = "#212529"
GRID = "#dee2e6"
TARGET_SWATCH = f'<line x1="0" x2="16" y1="8" y2="8" stroke="{INK}" stroke-width="2" stroke-dasharray="6 3"/>'
WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 40, 72


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def _text(x, y, content, *, size=12, anchor="middle", weight=None, transform=None, fill=INK) -> str:
    extra = f' font-weight="{weight}"' if weight else ""
    extra += f' transform="{transform}"' if transform else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{escape(str(content))}</text>"
    )


def _pattern(chart_id: str, index: int) -> tuple[str, str]:
    """The fill of series `index`: its colour, and from the second series on a white pattern over it."""
    colour = PALETTE[index % len(PALETTE)]
    kind = index % 5
    if kind == 0:
        return "", colour
    pid = f"{chart_id}-pattern-{index}"
    marks = {
        1: '<path d="M0 0 L0 8" stroke="#fff" stroke-width="2.5"/>',  # diagonal stripes (rotated)
        2: '<circle cx="4" cy="4" r="1.6" fill="#fff"/>',  # dots
        3: '<path d="M0 0 L0 8 M0 0 L8 0" stroke="#fff" stroke-width="1.5"/>',  # cross-hatch
        4: '<path d="M0 4 L8 4" stroke="#fff" stroke-width="2"/>',  # horizontal lines
    }[kind]
    rotate = ' patternTransform="rotate(45)"' if kind in (1, 3) else ""
    definition = (
        f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse"{rotate}>'
        f'<rect width="8" height="8" fill="{colour}"/>{marks}</pattern>'
    )
    return definition, f"url(#{pid})"


def nice_max(value: float) -> float:
    """A round number at or above `value` for the top of an axis: 1, 2, 2.5 or 5 times a power of ten."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _frame(
    chart_id: str, title: str, summary: str, x_label: str, y_label: str, y_max: float, fmt
) -> list[str]:
    """The opening of the SVG: title, text alternative, grid lines, axis ticks and axis titles."""
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="chart" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
    ]
    for i in range(5):
        value = y_max * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(LEFT - 6, y + 4, fmt(value), anchor="end", size=11))
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="{INK}" stroke-width="1"/>'
    )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    mid_y = TOP + plot_h / 2
    parts.append(_text(16, mid_y, y_label, transform=f"rotate(-90 16 {mid_y:.1f})"))
    parts.append(_text(LEFT + (WIDTH - LEFT - RIGHT) / 2, HEIGHT - 8, x_label))
    return parts


def _x_labels(categories: Sequence[str], centre: Callable[[int], float]) -> list[str]:
    # Every label when they fit; otherwise every second, third... so they never overlap.
    step = max(1, math.ceil(len(categories) / 14))
    base = HEIGHT - BOTTOM + 16
    return [_text(centre(i), base, label, size=11) for i, label in enumerate(categories) if i % step == 0]


def _legend(entries: list[tuple[str, str]]) -> list[str]:
    """Swatches and names along the top; `entries` are (swatch SVG at 0,0, name)."""
    parts, x = [], LEFT
    for swatch, name in entries:
        parts.append(f'<g transform="translate({x:.1f} 10)">{swatch}</g>')
        parts.append(_text(x + 22, 22, name, anchor="start"))
        x += 34 + 7.2 * len(name)
    return parts


def bar_chart(
    *,
    chart_id: str,
    title: str,
    summary: str,
    x_label: str,
    y_label: str,
    categories: Sequence[str],
    series: Sequence[Series],
    stacked: bool = True,
    targets: Sequence[float | None] | None = None,
    target_label: str = "Target",
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
) -> SafeString:
    """Vertical bars, stacked or side by side, with the total (stacked) or value written on each bar.
    `targets`, one per category, draws a dashed target mark across that category's bars."""
    values = [[v or 0 for v in s.values] for s in series]
    if stacked:
        peak = max((sum(col) for col in zip(*values, strict=True)), default=0)
    else:
        peak = max((v for row in values for v in row), default=0)
    peak = max(peak, *(t for t in targets or [] if t is not None), 0)
    y_max = nice_max(peak * 1.1 if peak else 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(categories), 1)
    bar_w = slot * 0.7 if stacked else slot * 0.8 / max(len(series), 1)

    def y_of(value: float) -> float:
        return TOP + plot_h - plot_h * value / y_max

    parts = _frame(chart_id, title, summary, x_label, y_label, y_max, fmt)
    fills, legend = [], []
    for index, s in enumerate(series):
        definition, fill = _pattern(chart_id, index)
        if definition:
            parts.insert(3, f"<defs>{definition}</defs>")
        fills.append(fill)
        swatch = f'<rect width="16" height="16" fill="{fill}" stroke="{INK}" stroke-width="0.5"/>'
        legend.append((swatch, s.name))
    for i in range(len(categories)):
        left = LEFT + slot * i + (slot - (bar_w if stacked else bar_w * len(series))) / 2
        base = 0.0
        for index in range(len(series)):
            value = values[index][i]
            x = left if stacked else left + bar_w * index
            bottom = base if stacked else 0
            if value:
                top, low = y_of(bottom + value), y_of(bottom)
                parts.append(
                    f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar_w:.1f}" height="{low - top:.1f}" '
                    f'fill="{fills[index]}" stroke="#fff" stroke-width="1"/>'
                )
                if not stacked and bar_w >= 14:
                    parts.append(_text(x + bar_w / 2, top - 4, fmt(value), size=10))
            if stacked:
                base += value
        if stacked and base and bar_w >= 14:
            parts.append(_text(left + bar_w / 2, y_of(base) - 4, fmt(base), size=10, weight="bold"))
        if targets and targets[i] is not None:
            y = y_of(targets[i])
            width = bar_w if stacked else bar_w * len(series)
            parts.append(
                f'<line x1="{left - 4:.1f}" x2="{left + width + 4:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="{INK}" stroke-width="2" stroke-dasharray="6 3"/>'
            )
    if targets:
        swatch = (
            f'<line x1="0" x2="16" y1="8" y2="8" stroke="{INK}" stroke-width="2" stroke-dasharray="6 3"/>'
        )
        legend.append((swatch, target_label))
    parts += _x_labels(categories, lambda i: LEFT + slot * i + slot / 2)
    parts += _legend(legend)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it went through escape()


MARKERS = ["circle", "square", "triangle", "diamond"]
DASHES = ["", "8 4", "3 3", "12 4 3 4"]


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        points = [(x, y - 5.5), (x + 5, y + 4), (x - 5, y + 4)]
    else:  # diamond
        points = [(x, y - 5.5), (x + 5.5, y), (x, y + 5.5), (x - 5.5, y)]
    path = " L".join(f"{px:.1f} {py:.1f}" for px, py in points)
    return f'<path d="M{path} Z" fill="{colour}"/>'


def line_chart(
    *,
    chart_id: str,
    title: str,
    summary: str,
    x_label: str,
    y_label: str,
    categories: Sequence[str],
    series: Sequence[Series],
    y_max: float,
    target: float | None = None,
    target_label: str = "Target",
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
) -> SafeString:
    """Lines with a marker shape and a dash pattern of their own; a missing value leaves a gap."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(categories), 1)

    def x_of(i: int) -> float:
        return LEFT + slot * i + slot / 2

    def y_of(value: float) -> float:
        return TOP + plot_h - plot_h * value / y_max

    parts = _frame(chart_id, title, summary, x_label, y_label, y_max, fmt)
    legend = []
    if target is not None:
        y = y_of(target)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{INK}" '
            f'stroke-width="2" stroke-dasharray="6 3"/>'
        )
        parts.append(_text(WIDTH - RIGHT - 4, y - 6, f"{target_label} {fmt(target)}", anchor="end", size=11))
        swatch = (
            f'<line x1="0" x2="16" y1="8" y2="8" stroke="{INK}" stroke-width="2" stroke-dasharray="6 3"/>'
        )
        legend.append((swatch, target_label))
    for index, s in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        marker, dash = MARKERS[index % len(MARKERS)], DASHES[index % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        run: list[str] = []
        runs = []
        for i, value in enumerate(s.values):
            if value is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{x_of(i):.1f},{y_of(value):.1f}")
            parts.append(_marker(marker, x_of(i), y_of(value), colour))
        if run:
            runs.append(run)
        for points in runs:
            if len(points) > 1:
                parts.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dash_attr}/>'
                )
        swatch = (
            f'<line x1="0" x2="16" y1="8" y2="8" stroke="{colour}" stroke-width="2"{dash_attr}/>'
            + _marker(marker, 8, 8, colour)
        )
        legend.insert(index, (swatch, s.name))
    parts += _x_labels(categories, x_of)
    parts += _legend(legend)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it went through escape()
