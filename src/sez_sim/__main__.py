"""``python -m sez_sim``: the same as the ``sez-sim`` command."""

from sez_sim.cli import main

main()
