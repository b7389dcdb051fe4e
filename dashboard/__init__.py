"""radsim's dashboard for trainers: a Solara app that shows a room how radicalisation unfolds.

Start it with ``radsim dashboard``. Two towns from the same seed run in lockstep,
the right one with the interventions the trainer switches on; views show the
network, the pyramid, trends, neighbourhoods and one resident's story, with
plain-language explanations in English and Dutch.

Modules: :mod:`~dashboard.twin` (the two towns and their records, no Solara),
:mod:`~dashboard.layout` and :mod:`~dashboard.picture` (the network picture),
:mod:`~dashboard.charts` (SVG charts), :mod:`~dashboard.i18n` (texts),
:mod:`~dashboard.session` (state and actions), :mod:`~dashboard.components` and
:mod:`~dashboard.app` (the Solara views and page), :mod:`~dashboard.serve` and
:mod:`~dashboard.bench`. The simulator core (:mod:`model`) never imports this package.
"""
