"""The town network as a picture, drawn with numpy in a few milliseconds.

Matplotlib needs about 20 ms per 1,000 markers and seconds for 30,000 tie lines,
too slow to redraw two towns every week. This renderer does the slow work once per
town: it rasterises the ties into a shaded background (ties are sampled along
their length and counted per pixel, so dense bundles look darker) and precomputes,
for every resident, the pixels and antialiased coverage of their marker, with what
lies under it. A redraw is then one copy of the background and one vectorised
write of the marker pixels (a few milliseconds at 5,000 residents). Colour shows the phase, the marker shape the background (circle: majority,
square: first minority, triangle: second minority, diamond: others).
"""

from __future__ import annotations

import io

import numpy as np

from experiments.plots import phase_rgb

__all__ = ["PHASE_RGB", "PHASE_SCALE", "BACKGROUND_SHAPES", "PICTURE_SIZE", "NetworkPicture", "encode_jpeg"]

PHASE_RGB = np.array([phase_rgb(k) for k in range(4)], dtype=np.float32)
"""RGB colour of each phase: radsim's one palette (:data:`experiments.plots.PHASE_COLOURS`)."""

BACKGROUND_SHAPES = ("circle", "square", "triangle", "diamond")
PICTURE_SIZE = (540, 360)
"""Width and height (pixels) of a town picture in the dashboard."""
OUTLINE = np.array((55, 60, 70), dtype=np.float32)
HIGHLIGHT = np.array((20, 90, 200), dtype=np.float32)
PAPER = np.array((255, 255, 255), dtype=np.float32)
TIE_INK = np.array((120, 130, 145), dtype=np.float32)


def _inside(shape: str, x: np.ndarray, y: np.ndarray, r: float) -> np.ndarray:
    if r <= 0:
        return np.zeros(x.shape, dtype=bool)
    if shape == "circle":
        return x * x + y * y <= r * r
    if shape == "square":
        s = 0.85 * r
        return (np.abs(x) <= s) & (np.abs(y) <= s)
    if shape == "triangle":   # pointing up, centred on its centroid
        h = 1.5 * r
        top, bottom = -h * 2 / 3, h / 3
        half_width = (y - top) / h * (r * 1.15)
        return (y >= top) & (y <= bottom) & (np.abs(x) <= half_width)
    return np.abs(x) + np.abs(y) <= 1.2 * r   # diamond


def _coverage(shape: str, r: float, outline: float,
              supersample: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pixel offsets (dx, dy) and antialiased fill and outline coverage of one marker."""
    half = int(np.ceil(1.3 * r + outline)) + 1
    d = np.arange(-half, half + 1)
    sub = (np.arange(supersample) + 0.5) / supersample - 0.5
    gx = d[None, :, None, None] + sub[None, None, None, :]
    gy = d[:, None, None, None] + sub[None, None, :, None]
    gx, gy = np.broadcast_arrays(gx, gy)
    outer = _inside(shape, gx, gy, r).mean(axis=(2, 3))
    inner = _inside(shape, gx, gy, r - outline).mean(axis=(2, 3))
    dy, dx = np.nonzero(outer > 0.02)
    return dx - half, dy - half, inner[dy, dx], (outer - inner)[dy, dx]


PHASE_SCALE = (0.6, 1.0, 1.6, 2.0)
"""Marker radius per phase, relative to the picture's base radius: the grey majority small, groups and actors large."""
HOOD_INK = (90, 100, 115)


class NetworkPicture:
    """A raster picture of one town: ties and neighbourhoods drawn once, residents redrawn on demand.

    Args:
        positions: ``(n, 2)`` in [0, 1], x to the right and y down (see :func:`dashboard.layout.town_layout`).
        source, target: the ties (resident indices).
        background: each resident's background (0 = majority).
        width, height: picture size in pixels.
        max_ties: at most this many ties are drawn (an even, deterministic selection),
            so that a town of 5,000 residents stays legible and fast.
        neighbourhood, names: each resident's neighbourhood and the neighbourhoods' names; when
            given, each neighbourhood is outlined and named in the picture.

    Residents are drawn in the order of their phase, and larger the further along
    they are (:data:`PHASE_SCALE`): the many residents in phase 0 are small grey dots
    under everyone else, so that even at 5,000 residents a room sees where the
    radical groups are.
    """

    def __init__(self, positions: np.ndarray, source: np.ndarray, target: np.ndarray, background: np.ndarray,
                 width: int = 480, height: int = 480, max_ties: int = 12_000,
                 neighbourhood: np.ndarray | None = None, names: list[str] | None = None):
        self.width, self.height = int(width), int(height)
        n = positions.shape[0]
        self.n = n
        margin = 8
        self.x = (margin + positions[:, 0] * (self.width - 2 * margin)).astype(np.float32)
        self.y = (margin + positions[:, 1] * (self.height - 2 * margin)).astype(np.float32)
        self.radius = float(np.clip(0.3 * np.sqrt(self.width * self.height / max(n, 1)), 2.6, 6.0))
        self.background = np.asarray(background)
        self.ties_drawn = self._draw_ties(source, target, max_ties, fade_ink=min(1.0, 2_000 / max(n, 1)) ** 0.5)
        self.label_boxes: list[tuple[str, tuple[float, float, float, float]]] = []
        if neighbourhood is not None and names is not None:
            self._draw_neighbourhoods(np.asarray(neighbourhood), names)
        self.paper_u8 = np.rint(self.paper).astype(np.uint8).reshape(-1, 3)
        self._layers = [self._stamps(self.background, PHASE_SCALE[0] * self.radius, 0.0),
                        self._stamps(self.background, self.radius, 1.0 if self.radius >= 3.5 else 0.6)]
        self._big: dict[tuple[str, float, float], tuple] = {}

    # --- once per town -------------------------------------------------------
    def _draw_ties(self, source: np.ndarray, target: np.ndarray, max_ties: int, fade_ink: float = 1.0) -> int:
        if source.size > max_ties:            # an even selection, no random numbers
            keep = np.linspace(0, source.size - 1, max_ties).astype(np.int64)
            source, target = source[keep], target[keep]
        density = self._line_density(source, target, fade=40.0)
        shade = (1.0 - np.exp(-0.5 * density)) * 0.55 * fade_ink
        self.paper = (PAPER[None, None, :] * (1.0 - shade[..., None])
                      + TIE_INK[None, None, :] * shade[..., None]).astype(np.float32)
        return int(source.size)

    def _draw_neighbourhoods(self, hood: np.ndarray, names: list[str]) -> None:
        """An outline around each neighbourhood and its name above it, drawn into the background."""
        from PIL import Image, ImageDraw, ImageFont

        image = Image.fromarray(np.rint(self.paper).astype(np.uint8))
        draw = ImageDraw.Draw(image)
        font = ImageFont.load_default(size=max(10, min(14, int(self.height / 26))))
        pad = 1.5 * self.radius
        for k, name in enumerate(names):
            members = hood == k
            if not members.any():
                continue
            x0, x1 = float(self.x[members].min()) - pad, float(self.x[members].max()) + pad
            y0, y1 = float(self.y[members].min()) - pad, float(self.y[members].max()) + pad
            draw.ellipse((x0, y0, x1, y1), outline=HOOD_INK, width=1)
            cx = 0.5 * (x0 + x1)
            box = draw.textbbox((cx, y0), name, font=font, anchor="mb")
            draw.rectangle((box[0] - 2, box[1] - 1, box[2] + 2, box[3] + 1), fill=(255, 255, 255))
            draw.text((cx, y0), name, fill=HOOD_INK, font=font, anchor="mb")
            self.label_boxes.append((name, box))
        self.paper = np.asarray(image, dtype=np.float32)

    def _line_density(self, source: np.ndarray, target: np.ndarray, fade: float | None = None) -> np.ndarray:
        """Ink per pixel: each tie sampled once per pixel of its length.

        With ``fade`` (pixels), a tie's ink falls as ``fade / (fade + length)``, so
        that the many long ties across town do not cover the local structure.
        """
        w, h = self.width, self.height
        if source.size == 0:
            return np.zeros((h, w), dtype=np.float32)
        x0, y0, x1, y1 = self.x[source], self.y[source], self.x[target], self.y[target]
        length = np.maximum(np.abs(x1 - x0), np.abs(y1 - y0))
        steps = np.maximum(np.ceil(length).astype(np.int64), 1)
        tie = np.repeat(np.arange(source.size), steps)
        first = np.concatenate(([0], np.cumsum(steps)[:-1]))
        frac = (np.arange(tie.size) - first[tie] + 0.5) / steps[tie]
        px = np.clip((x0[tie] + frac * (x1 - x0)[tie]).astype(np.int64), 0, w - 1)
        py = np.clip((y0[tie] + frac * (y1 - y0)[tie]).astype(np.int64), 0, h - 1)
        weight = None if fade is None else (fade / (fade + length))[tie]
        return np.bincount(py * w + px, weights=weight, minlength=w * h).reshape(h, w).astype(np.float32)

    def _stamps(self, background: np.ndarray, radius: float, outline: float) -> tuple[np.ndarray, ...]:
        """Flat pixel indices, owner, fill coverage and what lies under every resident's marker of ``radius``."""
        w, h = self.width, self.height
        pix, owner, fill, ring = [], [], [], []
        cx, cy = np.rint(self.x).astype(np.int64), np.rint(self.y).astype(np.int64)
        for b in np.unique(background):
            who = np.nonzero(background == b)[0]
            shape = BACKGROUND_SHAPES[min(int(b), len(BACKGROUND_SHAPES) - 1)]
            dx, dy, f, o = _coverage(shape, radius, outline)
            px = cx[who, None] + dx[None, :]
            py = cy[who, None] + dy[None, :]
            ok = (px >= 0) & (px < w) & (py >= 0) & (py < h)
            pix.append((py * w + px)[ok])
            owner.append(np.broadcast_to(who[:, None], px.shape)[ok])
            fill.append(np.broadcast_to(f[None, :], px.shape)[ok])
            ring.append(np.broadcast_to(o[None, :], px.shape)[ok])
        cat = (lambda parts, dt: np.concatenate(parts).astype(dt)) if pix else (lambda parts, dt: np.empty(0, dt))
        stamp_pixel, stamp_owner = cat(pix, np.int64), cat(owner, np.int64)
        stamp_fill = cat(fill, np.float32)[:, None]
        ring_cov = cat(ring, np.float32)[:, None]
        # what lies under each marker pixel, outline included, already weighted by (1 - fill):
        # a redraw then only adds the phase colour times the fill
        under = self.paper.reshape(-1, 3)[stamp_pixel] * (1.0 - ring_cov) + OUTLINE * ring_cov
        return stamp_pixel, stamp_owner, stamp_fill, (under * (1.0 - stamp_fill) + 0.5).astype(np.float32)

    def nearest(self, fx: float, fy: float) -> int:
        """The resident drawn nearest to the point at fractions ``(fx, fy)`` of the width and height."""
        px, py = fx * self.width, fy * self.height
        return int(np.argmin((self.x - px) ** 2 + (self.y - py) ** 2))

    # --- every redraw ----------------------------------------------------------
    def draw(self, phase: np.ndarray, selected: int | None = None,
             selected_ties: np.ndarray | None = None) -> np.ndarray:
        """The picture as an ``(height, width, 3)`` uint8 array.

        Residents in phase 0 are small dots at the bottom; residents in phases 1-3 are
        drawn on top of them, and members and actors (phases 2-3) larger still, actors
        on top (:data:`PHASE_SCALE`). The selected resident gets a blue ring and their
        ties are drawn in blue.
        """
        phase = np.asarray(phase, dtype=np.int64)
        img = self.paper_u8.copy()
        if selected is not None and selected_ties is not None and len(selected_ties):
            ink = self._line_density(np.full(len(selected_ties), selected), np.asarray(selected_ties)).reshape(-1)
            lit = np.nonzero(ink)[0]
            a = np.minimum(1.0, ink[lit])[:, None] * 0.8
            img[lit] = (img[lit] * (1.0 - a) + HIGHLIGHT * a + 0.5).astype(np.uint8)
        for layer, (pixel, owner, fill, under) in enumerate(self._layers):   # phase 0 small, then phase >= 1
            owner_phase = phase[owner]
            mine = np.nonzero(owner_phase == 0 if layer == 0 else owner_phase > 0)[0]
            img[pixel[mine]] = (under[mine] + PHASE_RGB[owner_phase[mine]] * fill[mine]).astype(np.uint8)
        img = img.reshape(self.height, self.width, 3)
        for k in (2, 3):
            for i in np.nonzero(phase == k)[0]:
                self._stamp(img, int(i), PHASE_RGB[k], BACKGROUND_SHAPES[min(int(self.background[i]), 3)],
                            self.radius * PHASE_SCALE[k], 1.2)
        if selected is not None and 0 <= selected < self.n:
            self._stamp(img, selected, None, "circle", self.radius * 2.4, 2.0)
        return img

    def _stamp(self, img: np.ndarray, i: int, colour: np.ndarray | None, shape: str, r: float, outline: float) -> None:
        """One marker of radius ``r`` drawn on ``img``; ``colour`` None draws a blue ring only."""
        key = (shape, r, outline)
        if key not in self._big:
            self._big[key] = _coverage(shape, r, outline)
        dx, dy, f, o = self._big[key]
        px, py = int(round(float(self.x[i]))) + dx, int(round(float(self.y[i]))) + dy
        ok = (px >= 0) & (px < self.width) & (py >= 0) & (py < self.height)
        px, py, f, o = px[ok], py[ok], f[ok, None], o[ok, None]
        base = img[py, px].astype(np.float32)
        if colour is None:
            out = base * (1.0 - o) + HIGHLIGHT * o
        else:
            out = (base * (1.0 - o) + OUTLINE * o) * (1.0 - f) + colour * f
        img[py, px] = (out + 0.5).astype(np.uint8)


def encode_jpeg(img: np.ndarray, quality: int = 92) -> bytes:
    """JPEG bytes of an RGB uint8 array.

    JPEG, not PNG: it encodes a picture in about 1 ms instead of 20 ms, in a third of
    the bytes; with quality 92 and no chroma subsampling the small markers keep
    their colours.
    """
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="jpeg", quality=quality, subsampling=0)
    return buf.getvalue()
