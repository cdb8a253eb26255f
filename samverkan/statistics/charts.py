"""Charts drawn on the server as SVG, every value escaped by ``format_html``: no
script, nothing fetched, nothing inline that the Content-Security-Policy
refuses (colours come from statistics.css).

A withheld figure is drawn as an empty outlined bar marked as suppressed, so
that a chart never shows more than its table.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

WIDTH = 640
BAR_AREA = 420
LABEL_WIDTH = 190
ROW_HEIGHT = 26


def _value_text(value: int | None) -> str:
    return _("suppressed") if value is None else str(value)


def _svg(title: str, height: int, body: str, css_class: str) -> str:
    return format_html(
        '<svg class="chart {}" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'width="100%" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        css_class,
        title,
        WIDTH,
        height,
        title,
        body,
    )


def bar_chart(title: str, labels: list[str], values: list[int | None]) -> str:
    """Horizontal bars, one per label; for breakdowns of the period's persons."""
    largest = max((value for value in values if value is not None), default=0) or 1
    parts = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = index * ROW_HEIGHT + 4
        length = 0 if value is None else round(BAR_AREA * value / largest)
        bar_class = "bar suppressed" if value is None else "bar"
        parts.append(
            (
                LABEL_WIDTH - 8,
                y + 15,
                label,
                bar_class,
                LABEL_WIDTH,
                y,
                max(length, 2) if value is None else length,
                ROW_HEIGHT - 8,
                LABEL_WIDTH + (length if value is not None else 2) + 6,
                y + 15,
                _value_text(value),
            )
        )
    body = format_html_join(
        "",
        '<text class="label" x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text class="value" x="{}" y="{}">{}</text>',
        parts,
    )
    return _svg(title, len(labels) * ROW_HEIGHT + 8, body, "bars")


def time_series(title: str, years: list[str], values: list[int | None]) -> str:
    """Vertical bars by year: the persons of each year of the period."""
    height, base, top = 240, 200, 24
    largest = max((value for value in values if value is not None), default=0) or 1
    step = (WIDTH - 60) / max(len(years), 1)
    parts = []
    for index, (year, value) in enumerate(zip(years, values, strict=True)):
        x = 40 + index * step + step * 0.2
        bar = 0 if value is None else round((base - top) * value / largest)
        parts.append(
            (
                "bar suppressed" if value is None else "bar",
                round(x),
                base - max(bar, 2),
                round(step * 0.6),
                max(bar, 2),
                round(x + step * 0.3),
                base - max(bar, 2) - 6,
                _value_text(value),
                round(x + step * 0.3),
                base + 18,
                year,
            )
        )
    body = format_html_join(
        "",
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text class="value" x="{}" y="{}" text-anchor="middle">{}</text>'
        '<text class="label" x="{}" y="{}" text-anchor="middle">{}</text>',
        parts,
    )
    axis = format_html(
        '<line class="axis" x1="30" y1="{}" x2="{}" y2="{}"></line>', base, WIDTH - 10, base
    )
    return _svg(title, height, format_html("{}{}", axis, body), "series")
