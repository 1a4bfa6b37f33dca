"""Bar charts as inline SVG, drawn on the server: no chart library, no JavaScript."""
from __future__ import annotations

import math
from datetime import datetime, tzinfo

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 600, 210
LEFT, BOTTOM, TOP = 36, 24, 10
TICKS = 4


def _nice_max(value: int) -> int:
    """The smallest 4 × a round step at or above ``value``, so every gridline is a whole number."""
    if value <= TICKS:
        return TICKS
    step = value / TICKS
    magnitude = 10 ** int(math.floor(math.log10(step)))
    for nice in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        candidate = nice * magnitude
        if candidate >= step and float(candidate).is_integer():
            return int(candidate * TICKS)
    return int(10 * magnitude * TICKS)


def _label(slot: datetime, tz: tzinfo, many: bool) -> str:
    local = slot.astimezone(tz)
    return local.strftime("%a %d") if many else local.strftime("%H:%M")


def bar_chart(*, slots: list[datetime], series: dict[str, list[int]], tz: tzinfo, title: str) -> SafeString:
    """Stacked bars, one per slot; ``series`` in stacking order, each named by its CSS class."""
    n = len(slots)
    stacked = [sum(values[i] for values in series.values()) for i in range(n)]
    top = _nice_max(max(stacked, default=0))
    plot_w, plot_h = WIDTH - LEFT, HEIGHT - BOTTOM - TOP
    step = plot_w / max(n, 1)
    bar_w = max(1.0, step * (0.72 if n <= 48 else 0.8))
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">'
             f'<title>{escape(title)}</title>']
    for i in range(TICKS + 1):
        value = top * i // TICKS
        y = TOP + plot_h - plot_h * i / TICKS
        parts.append(f'<line class="grid-line" x1="{LEFT}" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    many = n > 48
    label_every = 24 if many else 4
    for i, slot in enumerate(slots):
        x = LEFT + i * step + (step - bar_w) / 2
        base = TOP + plot_h
        for name, values in series.items():
            if not values[i]:
                continue
            h = plot_h * values[i] / top
            base -= h
            when = slot.astimezone(tz).strftime("%a %d %b %H:00")
            parts.append(f'<rect class="bar-{name}" x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" rx="1.5">'
                         f'<title>{when}: {values[i]} {name}</title></rect>')
        local = slot.astimezone(tz)
        if (local.hour % label_every == 0) if many else i % label_every == 0:
            parts.append(f'<text x="{LEFT + i * step + step / 2:.1f}" y="{HEIGHT - 5}" text-anchor="middle">{_label(slot, tz, many)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
