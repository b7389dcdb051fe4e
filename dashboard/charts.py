"""Small charts as SVG or HTML strings, drawn by the browser.

Every view of the dashboard is redrawn every week. Building a matplotlib or
Vega figure takes tens of milliseconds each; an SVG polyline takes microseconds, and
the browser draws it natively. Hovering a line or a cell shows its meaning (an SVG
``<title>``), and each chart carries ``data-*`` attributes with the numbers it
shows, for tests and screen readers.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["Series", "line_chart", "pyramid", "heat_table", "legend"]

FONT = "font-family:Roboto,Arial,sans-serif"


@dataclass(frozen=True)
class Series:
    """One line: ``x`` and ``y`` values, a colour, and solid or dashed."""

    label: str
    x: Sequence[float]
    y: Sequence[float]
    colour: str
    dashed: bool = False
    step: bool = False       # draw as a step function (phases)
    width: float = 2.0
    band: tuple[Sequence[float], Sequence[float]] | None = None
    """A shaded band (low, high) at the same ``x``, e.g. a 95% interval."""


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def _nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    out, v = [], first
    while v <= hi + 1e-9:
        out.append(round(v, 10))
        v += step
    return out


def _fmt(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if float(v).is_integer():
        return f"{v:.0f}"
    return f"{v:.2f}".rstrip("0").rstrip(".")


Formatter = Callable[[float], str]
"""How a chart writes its numbers (the language's separators: :func:`dashboard.i18n.tick`)."""


def line_chart(series: Sequence[Series], *, title: str = "", y_label: str = "", x_label: str = "",
               y_range: tuple[float, float] | None = None, marks: Sequence[float] = (), mark_label: str = "",
               width: int = 460, height: int = 190, zero_line: bool = False, css_class: str = "",
               fmt: Formatter = _fmt) -> str:
    """A line chart; ``marks`` are x positions drawn as thin vertical lines (attacks); ``fmt`` writes the ticks."""
    left, right, top, bottom = 44, 10, 22 if title else 8, 30
    pw, ph = width - left - right, height - top - bottom
    xs = [x for s in series for x in s.x]
    ys = [y for s in series for y in s.y if y == y]
    ys += [y for s in series if s.band for part in s.band for y in part if y == y]
    x0, x1 = (min(xs), max(xs)) if xs else (0.0, 1.0)
    if x1 - x0 < 10:
        x1 = x0 + 10
    if y_range is None:
        lo, hi = (min(ys), max(ys)) if ys else (0.0, 1.0)
        if zero_line:
            lo, hi = min(lo, 0.0), max(hi, 0.0)
        if hi - lo < 1e-9:
            lo, hi = lo - 1.0, hi + 1.0
        pad = 0.08 * (hi - lo)
        lo, hi = (lo - pad if lo != 0 else lo), hi + pad
    else:
        lo, hi = y_range

    def sx(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def sy(y: float) -> float:
        return top + (1.0 - (y - lo) / (hi - lo)) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="radsim-chart {css_class}" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" '
           f'style="{FONT};font-size:11px;max-width:100%;height:auto">']
    if title:
        out.append(f'<text x="{left}" y="14" font-size="12" font-weight="bold">{_esc(title)}</text>')
    for t in _nice_ticks(lo, hi):
        y = sy(t)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e6ea"/>')
        out.append(f'<text x="{left - 4}" y="{y + 3.5:.1f}" text-anchor="end" fill="#555">{fmt(t)}</text>')
    for t in _nice_ticks(x0, x1, 5):
        x = sx(t)
        out.append(f'<text x="{x:.1f}" y="{top + ph + 13}" text-anchor="middle" fill="#555">{fmt(t)}</text>')
    if zero_line and lo < 0 < hi:
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{sy(0):.1f}" y2="{sy(0):.1f}" stroke="#888"/>')
    for m in marks:
        if x0 <= m <= x1:
            out.append(f'<line x1="{sx(m):.1f}" x2="{sx(m):.1f}" y1="{top}" y2="{top + ph}" stroke="#b01234" '
                       f'stroke-dasharray="2,2"><title>{_esc(mark_label)} {fmt(m)}</title></line>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#bbb"/>')
    if x_label:
        out.append(f'<text x="{left + pw}" y="{height - 2}" text-anchor="end" fill="#555">{_esc(x_label)}</text>')
    if y_label:
        out.append(f'<text x="{left}" y="{height - 2}" fill="#555">{_esc(y_label)}</text>')
    for s in series:
        if s.band:
            low, high = s.band
            edge = [f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(s.x, high) if y == y]
            edge += [f"{sx(x):.1f},{sy(y):.1f}" for x, y in reversed(list(zip(s.x, low))) if y == y]
            out.append(f'<polygon class="radsim-band" points="{" ".join(edge)}" fill="{s.colour}" fill-opacity="0.2" '
                       f'stroke="none"><title>{_esc(s.label)}</title></polygon>')
    for s in series:
        pts = []
        prev = None
        for x, y in zip(s.x, s.y):
            if y != y:        # NaN: skip
                continue
            if s.step and prev is not None:
                pts.append(f"{sx(x):.1f},{sy(prev):.1f}")
            pts.append(f"{sx(x):.1f},{sy(y):.1f}")
            prev = y
        if not pts:
            continue
        dash = ' stroke-dasharray="5,3"' if s.dashed else ""
        last = s.y[-1] if len(s.y) else float("nan")
        out.append(f'<polyline fill="none" stroke="{s.colour}" stroke-width="{s.width}"{dash} '
                   f'points="{" ".join(pts)}" data-label="{_esc(s.label)}" data-last="{_fmt(last)}">'
                   f'<title>{_esc(s.label)}</title></polyline>')
    out.append("</svg>")
    return "".join(out)


def legend(items: Sequence[tuple[str, str, bool]]) -> str:
    """A one-line HTML legend of ``(label, colour, dashed)`` items."""
    parts = []
    for label, colour, dashed in items:
        style = "dashed" if dashed else "solid"
        parts.append(f'<span style="margin-right:12px;white-space:nowrap"><span style="display:inline-block;'
                     f'width:18px;border-top:3px {style} {colour};vertical-align:middle;margin-right:4px"></span>'
                     f'{_esc(label)}</span>')
    return f'<div style="{FONT};font-size:12px">{"".join(parts)}</div>'


def pyramid(counts: Sequence[int], labels: Sequence[str], colours: Sequence[str], *, tips: Sequence[str] = (),
            width: int = 300, height: int = 130, css_class: str = "", fmt: Formatter = _fmt) -> str:
    """The radicalisation pyramid: phase 0 at the base, action at the top.

    Bar widths are on a logarithmic scale (``log10(1 + count)``): phase 0 holds
    hundreds of times more residents than phase 3, which would otherwise be invisible.
    The counts are written next to the bars.
    """
    k = len(counts)
    row = (height - 6) / k
    top_count = max(math.log10(1 + max(counts)) if counts else 1.0, 1e-9)
    half = 0.5 * (width - 150)
    cx = 8 + half
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="radsim-pyramid {css_class}" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" style="{FONT};font-size:12px;max-width:100%;height:auto" '
           f'data-counts="{",".join(str(int(c)) for c in counts)}">']
    for level in range(k):                # top row = highest phase
        phase = k - 1 - level
        c = int(counts[phase])
        w = max(2.0, 2 * half * math.log10(1 + c) / top_count) if c else 0.0
        y = 3 + level * row
        tip = _esc(tips[phase]) if phase < len(tips) else ""
        out.append(f'<g class="radsim-pyramid-phase-{phase}"><title>{tip}</title>'
                   f'<rect x="{cx - w / 2:.1f}" y="{y:.1f}" width="{w:.1f}" height="{row - 3:.1f}" '
                   f'fill="{colours[phase]}" stroke="#555" stroke-width="0.5"/>'
                   f'<text x="{2 * half + 16:.1f}" y="{y + row / 2 + 3:.1f}">'
                   f'<tspan font-weight="bold" class="radsim-count" data-phase="{phase}">{fmt(c)}</tspan> '
                   f'{_esc(labels[phase])}</text></g>')
    out.append("</svg>")
    return "".join(out)


def heat_table(row_labels: Sequence[str], col_labels: Sequence[str], values: Sequence[Sequence[float]], *,
               colours: Sequence[str], col_tips: Sequence[str] = (), percent: Sequence[bool] = (),
               col_max: Sequence[float] | None = None, corner: str = "", css_class: str = "",
               fmt: Formatter = _fmt, fmt_percent: Formatter = lambda v: f"{100 * v:.1f}%") -> str:
    """An HTML heat map: each column shaded from white to its colour, relative to the column's largest value.

    Pass ``col_max`` to shade several tables on one scale (e.g. two towns side by side, or a fixed
    scale of shares with a floor).
    """
    ncol = len(col_labels)
    if col_max is None:
        col_max = [max((r[j] for r in values), default=0.0) for j in range(ncol)]
    head = "".join(
        f'<th title="{_esc(col_tips[j]) if j < len(col_tips) else ""}" style="padding:2px 6px">{_esc(c)}</th>'
        for j, c in enumerate(col_labels))
    rows = []
    for label, r in zip(row_labels, values):
        cells = []
        for j, v in enumerate(r):
            a = 0.0 if col_max[j] <= 0 else min(1.0, v / col_max[j])
            text = fmt_percent(v) if (j < len(percent) and percent[j]) else fmt(v)
            cells.append(f'<td style="padding:2px 6px;text-align:right;background:{_tint(colours[j], a)}">{text}</td>')
        rows.append(f'<tr><th style="text-align:left;padding:2px 6px;font-weight:normal">{_esc(label)}</th>'
                    f'{"".join(cells)}</tr>')
    return (f'<table class="radsim-heat {css_class}" style="{FONT};font-size:12px;border-collapse:collapse">'
            f'<thead><tr><th style="text-align:left;padding:2px 6px">{_esc(corner)}</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _tint(hex_colour: str, a: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    a = 0.85 * a
    mix = [round(255 * (1 - a) + c * a) for c in (r, g, b)]
    return "#" + "".join(f"{c:02x}" for c in mix)
