"""Three widgets Solara lacks: a picture that says where it was clicked, a report of the painted frame, and
a button that loads a small text file.

``solara.Image`` shows a picture but reports no click position. The network
picture needs one, so that a trainer can click a marker and meet that resident.
``solara.FileDrop`` takes files dragged onto it only; a scenario file is chosen with a
button (the browser's file dialog), which :class:`ScenarioUpload` offers.
"""

from __future__ import annotations

import ipyvuetify as v
import traitlets

__all__ = ["ClickableImage", "FrameReport", "ScenarioUpload"]

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


UPLOAD_TEMPLATE = """
<template>
  <label class="radsim-upload v-btn v-btn--outlined theme--light v-size--default primary--text"
         style="cursor: pointer; margin: 4px 0; text-transform: uppercase;">
    <span class="v-btn__content">{{ label }}</span>
    <input type="file" accept=".toml,text/plain,application/toml" style="display: none" @change="chosen" />
  </label>
</template>
<script>
module.exports = {
  methods: {
    chosen(event) {
      const input = event.target;
      const file = input.files && input.files[0];
      if (!file) return;
      file.text().then((text) => { this.loaded({name: file.name, text: text}); input.value = ""; });
    },
  },
};
</script>
"""

MAX_UPLOAD = 1_000_000
"""Characters a loaded scenario file may have (a scenario file is a few kB)."""


class ScenarioUpload(v.VuetifyTemplate):
    """A button that opens the browser's file dialog and calls ``handler(text)`` with the chosen file's text."""

    template = traitlets.Unicode(UPLOAD_TEMPLATE).tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    handler = traitlets.Any(None)          # Python only: called with the file's text

    def vue_loaded(self, data: dict) -> None:
        text = str(data.get("text", ""))[:MAX_UPLOAD]
        if self.handler is not None:
            self.handler(text)
