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
# For series that are not urgencies: red and orange would read as "urgent" and "high".
CALM = [*PALETTE[2:], *PALETTE[:2]]
INK = "#212529"
GRID = "#dee2e6"
TARGET_SWATCH = f'<line x1="0" x2="16" y1="8" y2="8" stroke="{INK}" stroke-width="2" stroke-dasharray="6 3"/>'
TARGET_SWATCH = f'<line x1="0" x2="16" y1="8" y2="8" stroke="{INK}" stroke-width="2" stroke-dasharray="6 3"/>'
WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 40, 72
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
CHAR_WIDTH = 6.5  # about, for 11-pixel labels


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


def _pattern(chart_id: str, index: int, colour: str) -> tuple[str, str]:
    """The fill of series `index`: its colour, and from the second series on a white pattern over it."""
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


def axis_max(value: float, *, whole: bool) -> float:
    """The top of the y axis: four equal, round steps (1, 2, 2.5 or 5 times a power of ten) that reach
    `value`; with `whole`, steps are whole numbers, for counts."""
    raw = max(value, 1e-9) / 4
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= raw and (not whole or (step >= 1 and step == int(step))):
            return 4 * step
    return 4 * max(1, math.ceil(raw))


def _frame(
    chart_id: str, title: str, summary: str, x_label: str, y_label: str, y_max: float, fmt, height: int
) -> list[str]:
    """The opening of the SVG: title, text alternative, grid lines, axis ticks and axis titles."""
    plot_h = PLOT_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
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
    parts.append(_text(LEFT + (WIDTH - LEFT - RIGHT) / 2, height - 8, x_label))
    return parts


def _label_layout(categories: Sequence[str]) -> tuple[int, bool]:
    """How to write the category labels so they never overlap: every `step`-th one, and slanted
    when even one label is wider than its slot. Returns (step, slanted)."""
    slot = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    step = max(1, math.ceil(len(categories) / 14))
    widest = max((len(c) for c in categories), default=0) * CHAR_WIDTH
    return step, widest > slot * step - 4


def _x_labels(categories: Sequence[str], centre: Callable[[int], float]) -> list[str]:
    step, slanted = _label_layout(categories)
    base = TOP + PLOT_HEIGHT + 16
    labels = []
    for i, label in enumerate(categories):
        if i % step:
            continue
        x = centre(i)
        if slanted:
            labels.append(
                _text(x + 4, base, label, size=11, anchor="end", transform=f"rotate(-35 {x + 4:.1f} {base})")
            )
        else:
            labels.append(_text(x, base, label, size=11))
    return labels


def _height(categories: Sequence[str]) -> int:
    """Slanted labels need room below the axis, as far as the longest of them reaches."""
    _, slanted = _label_layout(categories)
    if not slanted:
        return HEIGHT
    longest = max(len(c) for c in categories) * CHAR_WIDTH
    return HEIGHT + math.ceil(longest * math.sin(math.radians(35))) - 8


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
    whole: bool = True,
    colours: Sequence[str] = PALETTE,
) -> SafeString:
    """Vertical bars, stacked or side by side, with the total (stacked) or value written on each bar.
    `targets`, one per category, draws a dashed target mark across that category's bars. `whole`
    says the values are counts, so the axis counts in whole numbers."""
    values = [[v or 0 for v in s.values] for s in series]
    if stacked:
        peak = max((sum(col) for col in zip(*values, strict=True)), default=0)
    else:
        peak = max((v for row in values for v in row), default=0)
    peak = max(peak, *(t for t in targets or [] if t is not None), 0)
    y_max = axis_max(peak * 1.08 if peak else 1, whole=whole)
    slot = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    group_w = slot * 0.7 if stacked else slot * 0.8
    bar_w = group_w if stacked else group_w / max(len(series), 1)

    def y_of(value: float) -> float:
        return TOP + PLOT_HEIGHT - PLOT_HEIGHT * value / y_max

    parts = _frame(chart_id, title, summary, x_label, y_label, y_max, _number, _height(categories))
    fills, legend, defs = [], [], []
    for index, s in enumerate(series):
        definition, fill = _pattern(chart_id, index, colours[index % len(colours)])
        defs.append(definition)
        fills.append(fill)
        legend.append(
            (f'<rect width="16" height="16" fill="{fill}" stroke="{INK}" stroke-width="0.5"/>', s.name)
        )
    parts.insert(3, f"<defs>{''.join(defs)}</defs>")
    for i in range(len(categories)):
        left = LEFT + slot * i + (slot - group_w) / 2
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
                    parts.append(_text(x + bar_w / 2, top - 4, _number(value), size=10))
            if stacked:
                base += value
        if stacked and base and bar_w >= 14:
            parts.append(_text(left + bar_w / 2, y_of(base) - 4, _number(base), size=10, weight="bold"))
        if targets and targets[i] is not None:
            y = y_of(targets[i])
            parts.append(
                f'<line x1="{left - 6:.1f}" x2="{left + group_w + 6:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="{INK}" stroke-width="2" stroke-dasharray="6 3"/>'
            )
    if targets:
        legend.append((TARGET_SWATCH, target_label))
    parts += _x_labels(categories, lambda i: LEFT + slot * i + slot / 2)
    parts += _legend(legend)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it went through escape()


def _number(value: float) -> str:
    return f"{round(value, 1):g}"


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
    unit: str = "",
) -> SafeString:
    """Lines with a marker shape and a dash pattern of their own; a missing value leaves a gap. Each
    series is nudged sideways a little, so equal values stay visible side by side."""
    slot = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    nudge = min(5.0, slot / (2 * max(len(series), 1)))

    def x_of(i: int, index: float = 0) -> float:
        return LEFT + slot * i + slot / 2 + index * nudge

    def y_of(value: float) -> float:
        return TOP + PLOT_HEIGHT - PLOT_HEIGHT * value / y_max

    def fmt(value: float) -> str:
        return f"{_number(value)}{unit}"

    parts = _frame(chart_id, title, summary, x_label, y_label, y_max, fmt, _height(categories))
    legend = []
    if target is not None:
        y = y_of(target)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{INK}" '
            f'stroke-width="2" stroke-dasharray="6 3"/>'
        )
        parts.append(_text(WIDTH - RIGHT - 4, y - 6, f"{target_label} {fmt(target)}", anchor="end", size=11))
    for index, s in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        marker, dash = MARKERS[index % len(MARKERS)], DASHES[index % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        offset = index - (len(series) - 1) / 2
        runs: list[list[str]] = [[]]
        for i, value in enumerate(s.values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{x_of(i, offset):.1f},{y_of(value):.1f}")
            parts.append(_marker(marker, x_of(i, offset), y_of(value), colour))
        for points in runs:
            if len(points) > 1:
                parts.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dash_attr}/>'
                )
        swatch = f'<line x1="0" x2="16" y1="8" y2="8" stroke="{colour}" stroke-width="2"{dash_attr}/>'
        legend.append((swatch + _marker(marker, 8, 8, colour), s.name))
    if target is not None:
        legend.append((TARGET_SWATCH, target_label))
    parts += _x_labels(categories, x_of)
    parts += _legend(legend)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it went through escape()
