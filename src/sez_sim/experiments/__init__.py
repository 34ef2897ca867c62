"""Experiments at scale: replicates, paired comparisons, sweeps and sensitivity analysis, locally or on Dask."""

from sez_sim.experiments.batch import BatchResult, run_batch
from sez_sim.experiments.compare import Comparison, compare, paired_differences
from sez_sim.experiments.spec import Experiment, Factor, Outcome, load_experiment

__all__ = [
    "BatchResult",
    "Comparison",
    "Experiment",
    "Factor",
    "Outcome",
    "compare",
    "load_experiment",
    "paired_differences",
    "run_batch",
]
