"""Small inline-SVG charts for the report: no dependency, nothing fetched, crisp at any size."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")
FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"'


@dataclass(frozen=True)
class Axis:
    lo: float
    hi: float
    label: str
    log: bool = False
    percent: bool = False

    def fraction(self, value: float) -> float:
        if self.log:
            value = max(value, self.lo)
            return (math.log10(value) - math.log10(self.lo)) / (
                math.log10(self.hi) - math.log10(self.lo)
            )
        return (value - self.lo) / (self.hi - self.lo) if self.hi > self.lo else 0.0

    def ticks(self) -> list[float]:
        if self.log:
            ticks = []
            for power in range(math.floor(math.log10(self.lo)), math.ceil(math.log10(self.hi)) + 1):
                for step in (1, 2, 5):
                    value = step * 10**power
                    if self.lo <= value * 1.0001 and value <= self.hi * 1.0001:
                        ticks.append(value)
            return ticks
        span = self.hi - self.lo
        if span <= 0:
            return [self.lo]
        raw = span / 5
        magnitude = 10 ** math.floor(math.log10(raw))
        step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
        first = math.ceil(self.lo / step) * step
        count = int((self.hi - first) / step + 1e-9) + 1
        return [first + i * step for i in range(count)]

    def format(self, value: float) -> str:
        if self.percent:
            return f"{value * 100:.0f}%"
        if value == 0:
            return "0"
        if abs(value) < 0.01:
            return f"{value:.0e}".replace("e-0", "e-")
        if abs(value) < 1:
            return f"{value:g}"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:g}"


@dataclass
class Series:
    name: str
    color: str
    points: list[tuple[float, float]]
    kind: str = "line"  # line | step | points
    marker: float = 3.0
    hollow: bool = False
    extra: list[tuple[float, float]] = field(default_factory=list)  # big markers (e.g. medians)


class Canvas:
    """A plot area with margins; coordinates in data units through the axes."""

    def __init__(self, width: int, height: int, x: Axis, y: Axis, title: str) -> None:
        self.width, self.height = width, height
        self.left, self.right, self.top, self.bottom = 64, 16, 34, 48
        self.x, self.y = x, y
        self.title = title
        self.parts: list[str] = []

    def px(self, x: float, y: float) -> tuple[float, float]:
        w = self.width - self.left - self.right
        h = self.height - self.top - self.bottom
        return self.left + self.x.fraction(x) * w, self.top + (1 - self.y.fraction(y)) * h

    def frame(self) -> None:
        x0, y1 = self.px(self.x.lo, self.y.lo)
        x1, y0 = self.px(self.x.hi, self.y.hi)
        for t in self.x.ticks():
            px, _ = self.px(t, self.y.lo)
            self.parts.append(
                f'<line x1="{px:.1f}" y1="{y0:.1f}" x2="{px:.1f}" y2="{y1:.1f}" stroke="#e5e5e5"/>'
            )
            self.parts.append(
                f'<text x="{px:.1f}" y="{y1 + 16:.1f}" font-size="11" text-anchor="middle" fill="#444">'
                f"{escape(self.x.format(t))}</text>"
            )
        for t in self.y.ticks():
            _, py = self.px(self.x.lo, t)
            self.parts.append(
                f'<line x1="{x0:.1f}" y1="{py:.1f}" x2="{x1:.1f}" y2="{py:.1f}" stroke="#e5e5e5"/>'
            )
            self.parts.append(
                f'<text x="{x0 - 6:.1f}" y="{py + 4:.1f}" font-size="11" text-anchor="end" fill="#444">'
                f"{escape(self.y.format(t))}</text>"
            )
        self.parts.append(
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" '
            'fill="none" stroke="#999"/>'
        )
        self.parts.append(
            f'<text x="{(x0 + x1) / 2:.1f}" y="{self.height - 10}" font-size="12" text-anchor="middle">'
            f"{escape(self.x.label)}</text>"
        )
        self.parts.append(
            f'<text transform="translate(14,{(y0 + y1) / 2:.1f}) rotate(-90)" font-size="12" '
            f'text-anchor="middle">{escape(self.y.label)}</text>'
        )

    def series(self, s: Series) -> None:
        if s.kind in ("line", "step") and s.points:
            coords = []
            previous = None
            for x, y in s.points:
                if s.kind == "step" and previous is not None:
                    coords.append(self.px(x, previous))
                coords.append(self.px(x, y))
                previous = y
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in coords)
            self.parts.append(
                f'<polyline points="{path}" fill="none" stroke="{s.color}" stroke-width="2">'
                f"<title>{escape(s.name)}</title></polyline>"
            )
        if s.kind == "points":
            fill = "none" if s.hollow else s.color
            for x, y in s.points:
                px, py = self.px(x, y)
                self.parts.append(
                    f'<circle cx="{px:.1f}" cy="{py:.1f}" r="{s.marker}" fill="{fill}" '
                    f'fill-opacity="0.45" stroke="{s.color}" stroke-opacity="0.8"/>'
                )
        for x, y in s.extra:
            px, py = self.px(x, y)
            self.parts.append(
                f'<rect x="{px - 6:.1f}" y="{py - 6:.1f}" width="12" height="12" fill="{s.color}" '
                f'stroke="#000"><title>{escape(s.name)}: median</title></rect>'
            )

    def legend(self, entries: list[tuple[str, str]]) -> None:
        x = self.left + 8
        for name, color in entries:
            self.parts.append(
                f'<rect x="{x}" y="{self.top - 20}" width="12" height="12" fill="{color}"/>'
            )
            self.parts.append(
                f'<text x="{x + 16}" y="{self.top - 10}" font-size="12">{escape(name)}</text>'
            )
            x += 22 + 7.2 * len(name)

    def render(self) -> str:
        body = "\n".join(self.parts)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{self.width}" '
            f'height="{self.height}" viewBox="0 0 {self.width} {self.height}" {FONT} '
            f'role="img" aria-label="{escape(self.title)}"><title>{escape(self.title)}</title>\n'
            f"{body}\n</svg>"
        )


def line_chart(
    title: str, x: Axis, y: Axis, series: list[Series], width: int = 640, height: int = 360
) -> str:
    canvas = Canvas(width, height, x, y, title)
    canvas.frame()
    for s in series:
        canvas.series(s)
    canvas.legend([(s.name, s.color) for s in series])
    return canvas.render()


def box_chart(
    title: str, x: Axis, rows: list[tuple[str, str, list[float]]], width: int = 640
) -> str:
    """Horizontal boxes: p5-p95 whiskers, p25-p75 box, the median; one row per (name, color, values)."""
    from fixloop.benchmark.figures import percentile

    height = 60 + 36 * len(rows)
    canvas = Canvas(width, height, x, Axis(0, len(rows), ""), title)
    canvas.left = 110
    canvas.top = 16
    x0, y1 = canvas.px(x.lo, 0)
    x1, y0 = canvas.px(x.hi, len(rows))
    for t in x.ticks():
        px, _ = canvas.px(t, 0)
        canvas.parts.append(
            f'<line x1="{px:.1f}" y1="{y0:.1f}" x2="{px:.1f}" y2="{y1:.1f}" stroke="#e5e5e5"/>'
        )
        canvas.parts.append(
            f'<text x="{px:.1f}" y="{y1 + 16:.1f}" font-size="11" text-anchor="middle" fill="#444">'
            f"{escape(x.format(t))}</text>"
        )
    canvas.parts.append(
        f'<text x="{(x0 + x1) / 2:.1f}" y="{height - 10}" font-size="12" text-anchor="middle">'
        f"{escape(x.label)}</text>"
    )
    for index, (name, color, values) in enumerate(rows):
        _, cy = canvas.px(x.lo, len(rows) - index - 0.5)
        canvas.parts.append(
            f'<text x="{canvas.left - 8}" y="{cy + 4:.1f}" font-size="12" text-anchor="end">{escape(name)}</text>'
        )
        if not values:
            continue
        p5, p25, p50, p75, p95 = (percentile(values, q) for q in (5, 25, 50, 75, 95))
        a, b = canvas.px(p5, 0)[0], canvas.px(p95, 0)[0]
        c, d = canvas.px(p25, 0)[0], canvas.px(p75, 0)[0]
        m = canvas.px(p50, 0)[0]
        canvas.parts.append(
            f'<line x1="{a:.1f}" y1="{cy:.1f}" x2="{b:.1f}" y2="{cy:.1f}" stroke="{color}" stroke-width="2"/>'
        )
        canvas.parts.append(
            f'<rect x="{c:.1f}" y="{cy - 10:.1f}" width="{max(d - c, 1):.1f}" height="20" fill="{color}" '
            f'fill-opacity="0.35" stroke="{color}"/>'
        )
        canvas.parts.append(
            f'<line x1="{m:.1f}" y1="{cy - 12:.1f}" x2="{m:.1f}" y2="{cy + 12:.1f}" stroke="#000" stroke-width="2"/>'
        )
        canvas.parts.append(
            f"<title>{escape(name)}: median {p50:.2f} s, p25 {p25:.2f}, p75 {p75:.2f}, "
            f"p5 {p5:.2f}, p95 {p95:.2f}</title>"
        )
    return canvas.render()


def stacked_bars(
    title: str,
    rows: list[tuple[str, list[float]]],
    segments: list[tuple[str, str]],
    axis_label: str,
    percent: bool = False,
    width: int = 640,
) -> str:
    """One horizontal bar per row, split into segments (label, color) in order."""
    height = 80 + 34 * len(rows)
    top = max((sum(values) for _, values in rows), default=1.0) or 1.0
    x = Axis(0, 1 if percent else top, axis_label, percent=percent)
    canvas = Canvas(width, height, x, Axis(0, len(rows), ""), title)
    canvas.left = 110
    canvas.top = 36
    x0, y1 = canvas.px(0, 0)
    x1, y0 = canvas.px(x.hi, len(rows))
    for t in x.ticks():
        px, _ = canvas.px(t, 0)
        canvas.parts.append(
            f'<line x1="{px:.1f}" y1="{y0:.1f}" x2="{px:.1f}" y2="{y1:.1f}" stroke="#e5e5e5"/>'
        )
        canvas.parts.append(
            f'<text x="{px:.1f}" y="{y1 + 16:.1f}" font-size="11" text-anchor="middle" fill="#444">'
            f"{escape(x.format(t))}</text>"
        )
    canvas.parts.append(
        f'<text x="{(x0 + x1) / 2:.1f}" y="{height - 10}" font-size="12" text-anchor="middle">'
        f"{escape(axis_label)}</text>"
    )
    for index, (name, values) in enumerate(rows):
        _, cy = canvas.px(0, len(rows) - index - 0.5)
        canvas.parts.append(
            f'<text x="{canvas.left - 8}" y="{cy + 4:.1f}" font-size="12" text-anchor="end">{escape(name)}</text>'
        )
        total = sum(values) or 1.0
        start = 0.0
        for (label, color), value in zip(segments, values, strict=True):
            share = value / total if percent else value
            a, b = canvas.px(start, 0)[0], canvas.px(start + share, 0)[0]
            if b - a > 0.1:
                canvas.parts.append(
                    f'<rect x="{a:.1f}" y="{cy - 11:.1f}" width="{b - a:.1f}" height="22" fill="{color}">'
                    f"<title>{escape(name)}: {escape(label)} {value:.3g}"
                    f"{f' ({share * 100:.1f}%)' if percent else ''}</title></rect>"
                )
            start += share
    canvas.legend(segments)
    return canvas.render()
