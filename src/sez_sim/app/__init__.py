"""The workshop app (``sez-sim app``): a browser page where trainers place zones and policies live.

Layers: :mod:`~sez_sim.app.workshop` (the two models, framework-free), :mod:`~sez_sim.app.charts` (figures kept and
updated), :mod:`~sez_sim.app.labels` (every text), :mod:`~sez_sim.app.page` (the solara page) and
:mod:`~sez_sim.app.server` (the offline server settings). Needs the ``app`` extra (solara).
"""
