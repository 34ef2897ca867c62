"""Agents: provinces (Mesa agents) and the firm and worker populations (struct-of-arrays)."""
