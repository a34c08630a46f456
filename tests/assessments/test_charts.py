"""Charts are SVG that a screen reader can name, that print without colour and that the CSP allows."""

import re

import pytest

from assessments import charts
from assessments.charts import Series


def luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


@pytest.mark.parametrize("colour", charts.PALETTE)
def test_every_colour_stands_out_against_white(colour):
    contrast = (1 + 0.05) / (luminance(colour) + 0.05)
    assert contrast >= 3, colour  # WCAG 1.4.11, non-text contrast


def chart(**overrides):
    arguments = {
        "chart_id": "chart-test",
        "title": "New cases <per week>",
        "summary": "Seven new cases & more.",
        "x_label": "Week",
        "y_label": "Cases",
        "categories": ["3 Nov", "10 Nov"],
        "series": [Series("Urgent", [1, 2]), Series("High", [0, 3]), Series("Routine", [2, None])],
    }
    return str(charts.bar_chart(**{**arguments, **overrides}))


def test_a_chart_is_named_described_and_escaped():
    svg = chart()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'role="img" class="chart" aria-labelledby="chart-test-title chart-test-desc"' in svg
    assert '<title id="chart-test-title">New cases &lt;per week&gt;</title>' in svg
    assert '<desc id="chart-test-desc">Seven new cases &amp; more.</desc>' in svg
    assert ">Week</text>" in svg and ">Cases</text>" in svg
    assert "style=" not in svg and "<script" not in svg


def test_each_series_has_its_own_pattern_and_the_totals_are_written_on_the_bars():
    svg = chart()
    fills = re.findall(r'<rect width="16" height="16" fill="([^"]+)"', svg)  # the legend's swatches
    assert len(set(fills)) == 3
    assert fills[0].startswith("#") and all(f.startswith("url(#chart-test-pattern-") for f in fills[1:])
    totals = re.findall(r'font-weight="bold">(\d+)</text>', svg)
    assert totals == ["3", "5"]


def test_counts_get_whole_numbers_on_the_axis():
    assert charts.axis_max(5, whole=True) == 8  # steps of 2
    assert charts.axis_max(3, whole=True) == 4  # steps of 1, never 0.75
    assert charts.axis_max(0.7, whole=False) == 0.8
    assert charts.axis_max(93, whole=True) == 100


def test_lines_have_markers_dashes_and_a_gap_where_there_is_no_value():
    svg = str(
        charts.line_chart(
            chart_id="line",
            title="On time",
            summary="Share on time.",
            x_label="Week",
            y_label="%",
            categories=["a", "b", "c"],
            series=[Series("Urgent", [100, None, 50]), Series("High", [80, 90, 100])],
            y_max=100,
            target=90,
            unit="%",
        )
    )
    assert svg.count("<polyline") == 1  # urgent's two points are apart, so no line joins them
    assert 'stroke-dasharray="8 4"' in svg  # the second series is dashed
    assert "Target 90%" in svg
