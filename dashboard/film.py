"""The run as a film: an animated GIF of the side-by-side view, week 0 to now.

The dashboard records every resident's phase every week (:class:`dashboard.twin.Record`),
so the film is drawn afterwards from the record, not captured while playing: press
the button at any time and get the whole run. Each picture shows both towns' residents
(the same renderer as the page, without the ties, which would make the file ten times
larger), the neighbourhoods, the week, and the residents per phase in each town.
Pillow writes the GIF (no ffmpeg needed).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from experiments.plots import PHASE_COLOURS

from .i18n import number, t
from .picture import PICTURE_SIZE, NetworkPicture
from .twin import TwinTowns

__all__ = ["film_frames", "film_gif", "MAX_FRAMES"]

MAX_FRAMES = 150
"""At most this many pictures: a long run shows every k-th week (the last week always)."""
FRAME_MS = 120
"""Milliseconds per picture (about 8 weeks a second)."""
HEADER, FOOTER, GAP = 34, 44, 12


def _weeks(n_weeks: int, max_frames: int) -> np.ndarray:
    if n_weeks <= max_frames:
        return np.arange(n_weeks)
    return np.unique(np.linspace(0, n_weeks - 1, max_frames).round().astype(int))


def film_frames(towns: TwinTowns, lang: str, max_frames: int = MAX_FRAMES) -> list[Image.Image]:
    """One picture per recorded week (at most ``max_frames``) of both towns side by side."""
    with towns.lock:                              # copy what the film needs, then draw without the lock
        (weeks, as_is), (_, what_if) = towns.records[0].phase_history(), towns.records[1].phase_history()
        keep = _weeks(weeks.size, max_frames)
        phases = [as_is[keep], what_if[keep]]
        hood = towns.as_is.town.neighbourhood
        no_ties = np.empty(0, dtype=np.int64)     # markers on white: a film a few MB, not tens
        pictures = [NetworkPicture(towns.positions, no_ties, no_ties, m.town.background, *PICTURE_SIZE,
                                   neighbourhood=hood, names=towns.hood_names) for m in towns.models]
        attacks = [*towns.attacks, *towns.anti_minority_attacks]
    w, h = PICTURE_SIZE
    font = ImageFont.load_default(size=16)
    small = ImageFont.load_default(size=13)
    titles = [t(lang, "as_is"), t(lang, "what_if")]
    frames = []
    for k, week in enumerate(weeks[keep]):
        frame = Image.new("RGB", (2 * w + 3 * GAP, h + HEADER + FOOTER), "white")
        draw = ImageDraw.Draw(frame)
        hit = any(a <= week < a + 4 for a in attacks)
        draw.text((GAP, 8), t(lang, "week", week=int(week)), fill="#b01234" if hit else "black", font=font)
        for side in (0, 1):
            x0 = GAP + side * (w + GAP)
            frame.paste(Image.fromarray(pictures[side].draw(phases[side][k])), (x0, HEADER))
            draw.text((x0 + 110 if side == 0 else x0, 8), titles[side], fill="#333", font=font)
            counts = np.bincount(phases[side][k], minlength=4)
            x = x0
            for phase in range(4):
                label = f"{number(lang, int(counts[phase]))} {t(lang, f'phase_{phase}')}"
                draw.rectangle((x, h + HEADER + 10, x + 10, h + HEADER + 20), fill=PHASE_COLOURS[phase],
                               outline="#555")
                draw.text((x + 14, h + HEADER + 8), label, fill="black", font=small)
                x += 18 + int(draw.textlength(label, font=small))
        frames.append(frame)
    return frames


def film_gif(towns: TwinTowns, lang: str, max_frames: int = MAX_FRAMES) -> bytes:
    """The film as GIF bytes (loops; the last picture stays a second longer)."""
    frames = film_frames(towns, lang, max_frames)
    buf = io.BytesIO()
    durations = [FRAME_MS] * len(frames)
    durations[-1] = FRAME_MS + 1000
    # one palette for every picture (from the last, which has the most colours in it), no dithering: between two
    # weeks only the markers that changed phase differ, and the GIF stores only those
    palette = frames[-1].quantize(colors=96, method=Image.Quantize.MEDIANCUT)
    coded = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    coded[0].save(buf, format="gif", save_all=True, append_images=coded[1:], duration=durations, loop=0,
                  optimize=False, disposal=1)
    return buf.getvalue()
