"""Bar charts drawn on the server as inline SVG (no chart library, no CDN)."""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 640, 160, 24


def bar_chart(title: str, days: list[str], values: list[int]) -> Markup:
    """One bar per day, the largest value labelled; ``<title>`` elements give each bar's value."""
    top = max(values, default=0) or 1
    step = (WIDTH - 2 * PAD) / max(len(values), 1)
    bar = max(step * 0.8, 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="currentColor" stroke-opacity="0.3"/>',
    ]
    for index, (day, value) in enumerate(zip(days, values, strict=True)):
        height = (HEIGHT - 2 * PAD) * value / top
        x = PAD + index * step
        y = HEIGHT - PAD - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
            f'fill="currentColor" data-day="{escape(day)}" data-value="{value}">'
            f"<title>{escape(day)}: {value}</title></rect>"
        )
    parts.append(
        f'<text x="{PAD}" y="{PAD - 8}" font-size="11" fill="currentColor">max {top}</text>'
    )
    if days:
        parts.append(
            f'<text x="{PAD}" y="{HEIGHT - 6}" font-size="11" fill="currentColor">'
            f"{escape(days[0])}</text>"
            f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" font-size="11" text-anchor="end" '
            f'fill="currentColor">{escape(days[-1])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
