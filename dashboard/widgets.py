"""A widget Solara lacks: a picture that says where it was clicked.

``solara.Image`` shows a picture but reports no click position. The network
picture needs one, so that a trainer can click a marker and meet that resident.
"""

from __future__ import annotations

import ipyvuetify as v
import traitlets

__all__ = ["ClickableImage"]

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
