"""Inequality and concentration measures (population-weighted when weights are given).

All take per-region values ``y`` (e.g. GDP per capita) and optional weights (e.g. population). With weights ``w``
and shares ``s_i = w_i / sum w``, mean ``m = sum s_i y_i``:

- Gini: ``sum_ij s_i s_j |y_i - y_j| / (2 m)``;
- Theil T: ``sum_i s_i (y_i/m) ln(y_i/m)``; Theil L (mean log deviation): ``sum_i s_i ln(m / y_i)``;
- Theil decomposition over groups (countries): total = between (group means) + within (group Theils weighted by
  income shares for T, population shares for L), exactly;
- Williamson: the weighted coefficient of variation ``sqrt(sum_i s_i (y_i - m)^2) / m``;
- the Gini of two classes (a province's modern and traditional workers, each earning its sector's wage), elementwise
  over regions: with the first class's share ``s`` and earnings ``y1``, ``y2``,
  ``s (1 - s) |y1 - y2| / (s y1 + (1 - s) y2)``, the Gini above for two values.
"""

from __future__ import annotations

import numpy as np


def _shares(y: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, float)
    w = np.ones_like(y) if weights is None else np.asarray(weights, float)
    if y.shape != w.shape:
        raise ValueError("values and weights must have the same shape")
    if np.any(w < 0) or w.sum() <= 0:
        raise ValueError("weights must be non-negative with a positive sum")
    return y, w / w.sum()


def gini(y: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Gini coefficient (weighted by ``weights``, e.g. population)."""
    y, s = _shares(y, weights)
    order = np.argsort(y, kind="stable")
    y, s = y[order], s[order]
    mean = float(np.sum(s * y))
    # sum_ij s_i s_j |y_i - y_j| = 2 sum_i s_i y_i (2 F_i - s_i - 1) with F the cumulative share (sorted y).
    cum = np.cumsum(s)
    return float(np.sum(s * y * (2.0 * cum - s - 1.0)) / mean)


def theil_t(y: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Theil T index (GE(1))."""
    y, s = _shares(y, weights)
    r = y / np.sum(s * y)
    return float(np.sum(s * np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)), 0.0)))


def theil_l(y: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Theil L index (mean log deviation, GE(0)); needs positive values."""
    y, s = _shares(y, weights)
    if np.any(y <= 0):
        raise ValueError("Theil L needs positive values")
    return float(np.sum(s * np.log(np.sum(s * y) / y)))


def theil_decomposition(
    y: np.ndarray, groups: np.ndarray, weights: np.ndarray | None = None, kind: str = "T"
) -> tuple[float, float, float]:
    """Split a Theil index into between-group and within-group parts: ``(total, between, within)``.

    Args:
        y: values per region.
        groups: group label per region (e.g. country).
        weights: region weights (e.g. population); equal when None.
        kind: ``"T"`` (within parts weighted by income shares) or ``"L"`` (by population shares).
    """
    index = {"T": theil_t, "L": theil_l}[kind]
    y, s = _shares(y, weights)
    labels, group = np.unique(np.asarray(groups), return_inverse=True)
    group_share = np.bincount(group, s, minlength=len(labels))
    if np.any(group_share <= 0):
        raise ValueError("every group needs a positive weight")
    group_mean = np.bincount(group, s * y, minlength=len(labels)) / group_share
    between = index(group_mean, group_share)
    # Each group's own index, from its members' shares within it and their values over its mean.
    within_share, r = s / group_share[group], y / group_mean[group]
    if kind == "T":
        terms = np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)), 0.0)
        weight = group_share * group_mean / np.sum(s * y)
    else:
        if np.any(y <= 0):
            raise ValueError("Theil L needs positive values")
        terms, weight = -np.log(r), group_share
    within = float(np.sum(weight * np.bincount(group, within_share * terms, minlength=len(labels))))
    return index(y, s), float(between), within


def williamson(y: np.ndarray, weights: np.ndarray) -> float:
    """Williamson index: population-weighted coefficient of variation of regional income per capita."""
    y, s = _shares(y, weights)
    mean = float(np.sum(s * y))
    return float(np.sqrt(np.sum(s * (y - mean) ** 2)) / mean)


def two_class_gini(count_1: np.ndarray, count_2: np.ndarray, value_1: np.ndarray, value_2: np.ndarray) -> np.ndarray:
    """The Gini of each region's people in two classes, each earning its class's value (elementwise).

    It rises with the first class's share ``s`` from 0 up to ``s* = 1 / (1 + sqrt(y1 / y2))`` (0.41 at a premium
    of 2) and falls after: jobs moving people into the better-paid class first widen the gap, then close it (the
    dual economy's Kuznets curve). 0 where a region has people in one class only, or none.
    """
    count_1, count_2 = np.asarray(count_1, float), np.asarray(count_2, float)
    value_1, value_2 = np.asarray(value_1, float), np.asarray(value_2, float)
    total = count_1 + count_2
    s = np.divide(count_1, total, out=np.zeros_like(total), where=total > 0)
    mean = s * value_1 + (1.0 - s) * value_2
    gap = s * (1.0 - s) * np.abs(value_1 - value_2)
    return np.divide(gap, mean, out=np.zeros_like(mean), where=mean > 0)


def share(values: np.ndarray, mask: np.ndarray) -> float:
    """Share of the total held by the rows in ``mask`` (e.g. capital provinces' GDP, border provinces' GDP)."""
    values = np.asarray(values, float)
    total = values.sum()
    return float(values[np.asarray(mask, bool)].sum() / total) if total else 0.0


def hhi(values: np.ndarray) -> float:
    """Herfindahl-Hirschman index of concentration (sum of squared shares; 1/N when even, 1 when all in one)."""
    values = np.asarray(values, float)
    total = values.sum()
    return float(np.sum((values / total) ** 2)) if total else 0.0
