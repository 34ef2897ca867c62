"""Saving figures: one helper for every PNG sez-sim writes (atomic, tagged, never over someone else's file)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

from sez_sim.errors import Problem  # noqa: E402
from sez_sim.io import OutputError, atomic_path  # noqa: E402
from sez_sim.version import __version__  # noqa: E402

SOFTWARE = "sez-sim"
"""The ``Software`` text of every PNG sez-sim writes (followed by its version)."""

COMPRESS_LEVEL = 3
"""zlib level of the PNGs: a run's four figures are a third faster to encode than at Pillow's default (6), about 80
ms of the one second a run spends on its outputs, for files about 4% larger."""


def made_by_sez_sim(path: Path) -> bool:
    """True when ``path`` is a PNG that sez-sim wrote."""
    try:
        with Image.open(path) as image:
            return str(getattr(image, "text", {}).get("Software", "")).startswith(SOFTWARE)
    except OSError:
        return False


def save_png(fig: plt.Figure, path: str | Path, dpi: float = 110) -> Path:
    """Write ``fig`` to ``path`` as PNG, atomically, and close it.

    Raises:
        OutputError: when ``path`` exists and is not a PNG sez-sim wrote (it is left as it was).
    """
    path = Path(path)
    if path.is_dir() or (path.exists() and not made_by_sez_sim(path)):
        plt.close(fig)
        raise OutputError([Problem(str(path), "", "exists and was not written by sez-sim; give another file name")])
    with atomic_path(path) as tmp:
        fig.savefig(
            tmp,
            format="png",
            dpi=dpi,
            metadata={"Software": f"{SOFTWARE} {__version__}"},
            pil_kwargs={"compress_level": COMPRESS_LEVEL},
        )
    plt.close(fig)
    return path
