"""The spatial economy: short-run equilibrium, calibration by inversion, textbook presets, closed forms."""

from sez_sim.economy.equilibrium import Equilibrium, FirmBlock, Labour, Market, solve

__all__ = ["Equilibrium", "FirmBlock", "Labour", "Market", "solve"]
