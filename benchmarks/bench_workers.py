"""Issue 4: the worker job + migration rule as plain Mesa agents versus the vectorised population (100k workers).

Both implement the same rule on the GMS network with the calibrated model's utilities: each worker reconsiders
with probability rho (modern-sector workers less often) and, if so, values every destination (real income,
amenity, distance, moving cost, border barrier, diaspora of its origin country) and draws one by logit, staying
included; movers lose their modern job; modern vacancies go to local traditional-sector workers. The plain
version does this agent by agent in Python (each reconsidering agent computes its own 228 utilities with numpy);
the vectorised version is ``Workers.allocate_jobs`` + ``Workers.migrate`` (independent sampling) of sez-sim.
"""

from __future__ import annotations

import common  # noqa: F401
import mesa
import numpy as np
from common import report, timed

from sez_sim.agents.sampling import Sampling
from sez_sim.agents.workers import M_SECTOR, Workers
from sez_sim.model import ModelConfig, SEZModel

N_WORKERS = 100_000
STEPS = 10


class PlainWorker(mesa.Agent):
    """One worker as a Mesa agent with a Python step."""

    def __init__(self, model, province, origin):
        super().__init__(model)
        self.province, self.origin, self.modern = province, origin, False

    def step(self):
        m = self.model
        weight = m.employed_mobility if self.modern else 1.0
        if m.random.random() < m.rho * weight:
            values = m.base + m.static[self.province] + m.gamma * np.log1p(m.share[self.origin])
            cum = np.cumsum(np.exp(values - values.max()))
            destination = int(np.searchsorted(cum, m.random.random() * cum[-1], side="right"))
            if destination != self.province:
                if self.modern:
                    m.jobs_held[self.province] -= 1
                    self.modern = False
                self.province = destination
        if not self.modern and m.jobs_held[self.province] < m.jobs[self.province]:
            self.modern = True
            m.jobs_held[self.province] += 1


class PlainModel(mesa.Model):
    """The same rule, agent by agent; the shared per-province terms are computed once per step."""

    def __init__(self, workers: Workers, omega, jobs, rho):
        super().__init__(rng=1)
        self.workers_ref, self.omega, self.jobs, self.rho = workers, omega, jobs, rho
        p = workers.params
        self.employed_mobility, self.gamma = p["employed_mobility"], p["diaspora"]
        self.static = workers._moves_static
        self.jobs_held = np.zeros(len(jobs), dtype=np.int64)
        for province, origin in zip(workers["province"], workers["origin"], strict=True):
            PlainWorker(self, int(province), int(origin))

    def step(self):
        w = self.workers_ref
        composition = w.composition()
        population = composition.sum(axis=(1, 2))
        p = w.params
        self.base = (
            p["real_income_elasticity"] * np.log(self.omega)
            + w.amenity
            - p["congestion"] * np.log(np.maximum(population, 1e-9) / w.base_population)
        )
        self.share = w.diaspora(composition)
        self.agents.shuffle_do("step")


def main() -> None:
    full = SEZModel(ModelConfig(seed=1, persons_per_agent=340_470_000 / N_WORKERS))
    workers: Workers = full.workers
    eq = full.equilibrium
    jobs = eq.employment_m / full.persons_per_agent
    spy = full.steps_per_year
    rho = workers.params["reconsider"] / spy

    def vectorised_step():
        workers.allocate_jobs(jobs, full.streams["workers"])
        workers.migrate(eq.expected_real_wage, full.streams["workers"], Sampling.INDEPENDENT, spy, False)

    vectorised_step()  # warm up
    seconds, _ = timed(lambda: [vectorised_step() for _ in range(STEPS)])
    fast = len(workers) * STEPS / seconds

    plain = PlainModel(workers, eq.expected_real_wage, np.floor(jobs).astype(int), rho)
    plain_steps = 3
    seconds, _ = timed(lambda: [plain.step() for _ in range(plain_steps)])
    slow = len(workers) * plain_steps / seconds
    assert (workers["sector"] == M_SECTOR).any()
    report(
        "workers",
        [
            {
                "workers": len(workers),
                "vectorised_worker_steps_per_s": fast,
                "plain_mesa_worker_steps_per_s": slow,
                "ratio": fast / slow,
            }
        ],
        {"vectorised": ">= 10M worker-steps/s", "ratio": ">= 50x"},
    )


if __name__ == "__main__":
    main()
