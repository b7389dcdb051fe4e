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
               fmt: Formatter = _fmt, other_marks: Sequence[float] = (), other_mark_label: str = "",
               other_mark_colour: str = "#5c6bc0") -> str:
    """A line chart; ``marks`` are x positions drawn as thin vertical lines (attacks), ``other_marks`` a second
    kind in ``other_mark_colour`` (attacks by the other side); ``fmt`` writes the ticks."""
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
    for kind, (where, label, colour) in enumerate(((marks, mark_label, "#b01234"),
                                                   (other_marks, other_mark_label, other_mark_colour))):
        for m in where:
            if x0 <= m <= x1:
                out.append(f'<line class="radsim-mark-{kind}" x1="{sx(m):.1f}" x2="{sx(m):.1f}" y1="{top}" '
                           f'y2="{top + ph}" stroke="{colour}" stroke-dasharray="2,2">'
                           f'<title>{_esc(label)} {fmt(m)}</title></line>')
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


def pyramid(left: Sequence[int], right: Sequence[int], labels: Sequence[str], colours: Sequence[str], *,
            heads: tuple[str, str] = ("", ""), head_tips: tuple[str, str] = ("", ""), corner: str = "",
            tips: Sequence[str] = (),
            width: int = 316, height: int = 100, css_class: str = "", fmt: Formatter = _fmt) -> str:
    """The radicalisation pyramid of each movement, back to back: phase 0 at the base, action at the top.

    ``left`` and ``right`` are the residents per phase on each movement's side (the grievance movement on the
    left, the anti-minority movement on the right); the phase names stand in a column on the left, each side's
    counts beside its bars, ``heads`` above each side (from the centre out) and ``corner`` above the names. Bar lengths are on a logarithmic scale
    (``log10(1 + count)``), one scale for both sides: phase 0 holds hundreds of times more residents than
    phase 3, which would otherwise be invisible. ``data-counts`` holds the totals per phase,
    ``data-counts-left`` and ``data-counts-right`` each side's.
    """
    k = len(labels)
    head_h = 13 if any(heads) else 0
    row = (height - head_h - 4) / k
    label_w, count_w = 0.33 * width, 0.095 * width
    bars_lo, bars_hi = label_w + count_w + 4, width - count_w - 4
    cx, half = 0.5 * (bars_lo + bars_hi), 0.5 * (bars_hi - bars_lo) - 1
    top_count = max(math.log10(1 + max([*left, *right], default=0)), 1e-9)
    totals = [int(a) + int(b) for a, b in zip(left, right)]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="radsim-pyramid {css_class}" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" style="{FONT};font-size:11px;max-width:100%;height:auto" '
           f'data-counts="{",".join(str(c) for c in totals)}" '
           f'data-counts-left="{",".join(str(int(c)) for c in left)}" '
           f'data-counts-right="{",".join(str(int(c)) for c in right)}">']
    if head_h:
        out.append(f'<text x="{label_w - 2:.1f}" y="10" text-anchor="end" font-size="10" fill="#444">'
                   f'{_esc(corner)}</text>')
        for side, (text, tip) in enumerate(zip(heads, head_tips)):
            x, anchor = (cx - 4, "end") if side == 0 else (cx + 4, "start")
            out.append(f'<text class="radsim-pyramid-head-{side}" x="{x:.1f}" y="10" text-anchor="{anchor}" '
                       f'font-size="10" fill="#444"><title>{_esc(tip)}</title>{_esc(text)}</text>')
    for level in range(k):                # top row = highest phase
        phase = k - 1 - level
        y = head_h + 2 + level * row
        tip = _esc(tips[phase]) if phase < len(tips) else ""
        text_y = y + row / 2 + 3.5
        parts = [f'<g class="radsim-pyramid-phase-{phase}"><title>{tip}</title>'
                 f'<text x="{label_w - 2:.1f}" y="{text_y:.1f}" text-anchor="end" font-size="10.5">'
                 f'{_esc(labels[phase])}</text>']
        for side, counts in enumerate((left, right)):
            c = int(counts[phase]) if phase < len(counts) else 0
            w = max(2.0, half * math.log10(1 + c) / top_count) if c else 0.0
            x = cx - w if side == 0 else cx
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{row - 2:.1f}" '
                         f'fill="{colours[phase]}" stroke="#555" stroke-width="0.5"/>')
            tx, anchor = (bars_lo - 3, "end") if side == 0 else (bars_hi + 3, "start")
            parts.append(f'<text x="{tx:.1f}" y="{text_y:.1f}" text-anchor="{anchor}" font-weight="bold" '
                         f'class="radsim-count radsim-count-{side}" data-phase="{phase}">{fmt(c)}</text>')
        parts.append("</g>")
        out.append("".join(parts))
    out.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{head_h + 1}" y2="{height - 2}" stroke="#888" '
               f'stroke-width="0.8"/>')
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
