"""Two widgets Solara lacks: a picture that says where it was clicked, and a report of the painted frame.

``solara.Image`` shows a picture but reports no click position. The network
picture needs one, so that a trainer can click a marker and meet that resident.
"""

from __future__ import annotations

import ipyvuetify as v
import traitlets

__all__ = ["ClickableImage", "FrameReport"]

TEMPLATE = """
<template>
  <img :src="src" :class="css_class" :title="tip" @click="clicked"
       style="width: 100%; display: block; cursor: pointer" />
</template>
<script>
module.exports = {
  methods: {
    clicked(event) {
      const box = event.target.getBoundingClientRect();
      this.click({x: (event.clientX - box.left) / box.width, y: (event.clientY - box.top) / box.height});
    },
  },
};
</script>
"""


class ClickableImage(v.VuetifyTemplate):
    """An image (``src``, a URL or data URL) that calls ``handler(x, y)`` on a click.

    ``x`` and ``y`` are the click position as fractions (0..1) of the shown width and
    height, so they do not depend on how large the browser draws the picture.
    """

    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    src = traitlets.Unicode("").tag(sync=True)
    css_class = traitlets.Unicode("").tag(sync=True)
    tip = traitlets.Unicode("").tag(sync=True)
    handler = traitlets.Any(None)          # Python only: called with (x, y)

    def vue_click(self, data: dict) -> None:
        if self.handler is not None:
            self.handler(min(max(float(data["x"]), 0.0), 1.0), min(max(float(data["y"]), 0.0), 1.0))


FRAME_TEMPLATE = """
<template>
  <span class="radsim-frame" :data-frame="frame" style="display: none"></span>
</template>
<script>
module.exports = {
  mounted() { this.report(); },
  watch: { frame() { this.report(); } },
  methods: {
    report() {
      const frame = this.frame;
      // two animation frames later, everything that arrived before this frame number is painted
      requestAnimationFrame(() => requestAnimationFrame(() => this.painted(frame)));
    },
  },
};
</script>
"""


class FrameReport(v.VuetifyTemplate):
    """Tells the server which frame the browser has painted: calls ``handler(frame)`` after each paint.

    The page places it last, so that when its ``frame`` arrives, the widget updates of
    that render pass have arrived before it. The play loop uses the report to step only
    when the last week is on screen (no backlog of weeks at a high speed).
    """

    template = traitlets.Unicode(FRAME_TEMPLATE).tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)
    handler = traitlets.Any(None)          # Python only: called with the painted frame number

    def vue_painted(self, data) -> None:
        if self.handler is not None:
            self.handler(int(data))
