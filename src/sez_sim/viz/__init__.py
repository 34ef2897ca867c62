"""Figures: maps of the network and results, time-series plots, and the workshop app."""
