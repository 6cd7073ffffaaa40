"""Bar charts drawn on the server: the geometry here, the SVG in the template, no JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 16, 16, 24, 32


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline(self) -> int:
        return self.height - BOTTOM

    @property
    def label_y(self) -> int:
        return self.height - BOTTOM // 3


def bar_chart(points: list[tuple[str, int]]) -> BarChart:
    """One bar per (label, value), scaled to the highest value; an empty chart stays flat."""
    if not points:
        return BarChart([])
    slot = (WIDTH - LEFT - RIGHT) / len(points)
    top = max(value for _, value in points) or 1
    plot_height = HEIGHT - TOP - BOTTOM
    bars = []
    for i, (label, value) in enumerate(points):
        height = plot_height * value / top
        x = LEFT + i * slot + slot * 0.15
        bars.append(Bar(round(x, 1), round(HEIGHT - BOTTOM - height, 1), round(slot * 0.7, 1),
                        round(height, 1), label, value))  # fmt: skip
    return BarChart(bars)
