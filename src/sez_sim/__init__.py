"""sez-sim: an agent-based simulator of Special and Cross-Border Economic Zones in the Greater Mekong Subregion."""

__version__ = "0.1.0"
