"""Small inline SVG charts for the supervisors' board (no chart library): a line chart of the
on-time rate and stacked bars of the backlog, per unit and week. Text is escaped."""

from html import escape

from markupsafe import Markup

PALETTE = ("#1d4ed8", "#b91c1c", "#15803d", "#b45309", "#7c3aed", "#0e7490", "#be185d", "#4d7c0f", "#475569",
           "#c2410c")
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 260, 40, 10, 12, 34


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + span * (index + 0.5) / max(count, 1)


def _y(value: float, top_value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - (value / top_value if top_value else 0))


def _frame(labels: list[str], top_value: float, ticks: list[tuple[float, str]], title: str) -> list[str]:
    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    for value, text in ticks:
        y = _y(value, top_value)
        parts.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{escape(text)}</text>')
    for index, label in enumerate(labels):
        parts.append(f'<text x="{_x(index, len(labels)):.1f}" y="{HEIGHT - 12}" text-anchor="middle">'
                     f"{escape(label.split('-')[-1])}</text>")
    return parts


def rate_lines(labels: list[str], series: list[tuple[str, list[float | None]]], title: str) -> Markup:
    """One line per unit of on-time rates in [0, 1]; weeks without completions leave a gap."""
    parts = _frame(labels, 1.0, [(v / 100, f"{v}%") for v in (0, 25, 50, 75, 100)], title)
    for number, (name, values) in enumerate(series):
        segments, current = [], []
        for index, value in enumerate(values):
            if value is None:
                if current:
                    segments.append(current)
                current = []
                continue
            current.append((_x(index, len(labels)), _y(value, 1.0)))
        if current:
            segments.append(current)
        for points in segments:
            text = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline fill="none" stroke="{colour(number)}" stroke-width="2.5" points="{text}">'
                         f"<title>{escape(name)}</title></polyline>")
            parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour(number)}"/>' for x, y in points)
    parts.append("</svg>")
    return Markup("".join(parts))


def _nice_top(value: int) -> int:
    for step in (5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if value <= step:
            return step
    return value


def stacked_bars(labels: list[str], series: list[tuple[str, list[int]]], title: str) -> Markup:
    """Per week, one bar stacked by unit (the backlog at the week's end)."""
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    top_value = _nice_top(max(totals or [0]))
    ticks = [(top_value * f, str(int(top_value * f))) for f in (0, 0.5, 1)]
    parts = _frame(labels, top_value, ticks, title)
    bar = (WIDTH - LEFT - RIGHT) / max(len(labels), 1) * 0.6
    for index in range(len(labels)):
        base = 0
        for number, (name, values) in enumerate(series):
            value = values[index]
            if not value:
                continue
            y_top, y_base = _y(base + value, top_value), _y(base, top_value)
            parts.append(f'<rect x="{_x(index, len(labels)) - bar / 2:.1f}" y="{y_top:.1f}" width="{bar:.1f}" '
                         f'height="{y_base - y_top:.1f}" fill="{colour(number)}"><title>{escape(name)}: {value}'
                         f"</title></rect>")
            base += value
        if totals[index]:
            parts.append(f'<text x="{_x(index, len(labels)):.1f}" y="{_y(base, top_value) - 3:.1f}" '
                         f'text-anchor="middle">{totals[index]}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
