"""The growth mechanisms of the calibrated economy, their parameters and their switches (docs/ODD.md 7.9).

Four mechanisms let zones do more than move workers from traditional to modern jobs:

- **labour market**: traditional earnings above subsistence are the marginal product of labour on land and fall
  with labour per unit of land, ``a_i - s_i = (a0_i - s_i) (L^A_i / L^A0_i) ** -land_elasticity`` with ``s_i =
  min(subsistence, a0_i)``. As zones and migration pull workers out of the traditional sector its earnings rise,
  and with them the modern wage floor ``psi a_i``. Where earnings are near subsistence, labour is in surplus
  (Lewis 1954) and they hardly move; where they are well above it and the traditional sector is small relative to
  modern jobs, wages rise (past the Lewis turning point). The equilibrium solver finds ``a_i`` with wages and
  expenditure (:func:`sez_sim.economy.equilibrium.solve`);
- **agglomeration**: a province's TFP rises with the modern employment within reach,
  ``A_i = A0_i (S_i / S0_i) ** agglomeration_elasticity`` with ``S_i = sum_j w_ij L^M_j`` and ``w_ij`` the mean of
  ``exp(-distance / spillover_km)`` over province i's area from province j's centre, so zones raise their
  neighbours' productivity by less the farther they are (:class:`Agglomeration`, :func:`spillover_weights`);
- **capital**: modern firms use capital beside labour, Cobb-Douglas with capital's share ``capital_share`` of the
  variable inputs' cost, rented at a user cost the world capital market fixes (:mod:`sez_sim.economy.equilibrium`),
  so a modern job carries its capital's rent into GDP; and entrants' investment and a share of after-tax profits
  build a capital stock that depreciates and that exiting firms scrap, ``K' = (1 - delta) s K + I`` (s the share of
  firms that survive the step), with TFP rising with it, ``(K_i / K0_i) ** capital_elasticity`` (:class:`Capital`);
- **learning**: zone firms' productivity rises over their first years by ``1 + gain (1 - exp(-age / years))``
  (:func:`learning`).

Each is a factor on a calibrated level that equals 1 at t = 0: ``L^A0``, ``S0`` and ``K0`` are the calibrated
steady state's, and the learning of the zone firms the model starts with is part of the calibration. Capital's
share enters the calibration itself: the same GDP needs fewer modern workers when each earns its capital's rent
(:mod:`sez_sim.economy.calibration`). So the baseline reproduces the data whatever is switched on, and stays a
steady state without a policy. Switching a
mechanism off sets its elasticity to 0 (:class:`Mechanisms`); the textbook presets have them all off.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

from sez_sim.params import Param, declare

PARAMS = declare(
    "economy",
    Param(
        name="land_elasticity",
        default=0.3,
        unit="elasticity",
        bounds=(0.0, 0.8),
        description="Labour market: traditional earnings fall with traditional employment per unit of land, a_i "
        "proportional to (L^A_i) ** -land_elasticity (land's share of traditional output).",
        source="Land's share of agricultural value added is about 0.2-0.4 in developing economies (Hayami & Ruttan "
        "1985, Agricultural Development; Restuccia, Yang & Zhu 2008, J. Monetary Econ. 55(2), use a land share near "
        "0.3 in their calibration); author's choice 0.3.",
        kind="uncertainty",
    ),
    Param(
        name="subsistence",
        default=1500.0,
        unit="US$ per worker-year",
        bounds=(0.0, 15000.0),
        description="Labour market: traditional earnings at which labour is in surplus (Lewis); only earnings above "
        "it respond to traditional employment.",
        source="Author's assumption, just below the lowest calibrated traditional earnings (Cambodian and Myanmar "
        "provinces, US$ 1,600-2,000 per worker-year): about US$ 4 a day per worker, near the World Bank's US$ 1.90 "
        "a day poverty line for a worker and a dependant. The bound keeps the calibrated GMS with every mechanism "
        "near a steady state: at 15,000 no province moves by more than 8.3% in 20 years (seeds 1 and 2, against 5.6% "
        "at the default: single-seed noise in small provinces).",
        kind="uncertainty",
        construction=None,
    ),
    Param(
        name="agglomeration_elasticity",
        default=0.05,
        unit="elasticity",
        bounds=(0.0, 0.08),
        description="Agglomeration: elasticity of province TFP with respect to the modern employment within reach "
        "(own and neighbours', weighted by exp(-distance / spillover_km)).",
        source="Melo, Graham & Noland (2009, Regional Science and Urban Economics 39(3)) meta-analysis: urban "
        "agglomeration elasticities of productivity centre near 0.03-0.08; Rosenthal & Strange (2004, Handbook of "
        "Regional and Urban Economics vol. 4): doubling city size raises productivity by 3-8%. The bound is the top of "
        "that range and of where the calibrated GMS stays a steady state: with every mechanism on and no policy, 20 "
        "years move no province by more than 8.6% at 0.08 (seeds 1 and 2, against 5.6% at the default); in the "
        "calibration by income alone, 146% at 0.1 (Rakhine: Myanmar's small modern sectors fed on themselves).",
        kind="uncertainty",
    ),
    Param(
        name="spillover_km",
        default=50.0,
        unit="km",
        bounds=(10.0, 1000.0),
        description="Agglomeration: distance over which modern employment's effect on TFP falls by a factor e "
        "(weights exp(-distance / spillover_km), averaged over the receiving province's area).",
        source="Frick, Rodríguez-Pose & Wong (2019, Economic Geography 95(1)): SEZ spillovers on surrounding "
        "areas' night lights decrease continuously up to about 50 km. The lower bound is a fifth of that: at 1 km, "
        "where a province's agglomeration reaches little beyond its seat, the calibrated GMS with every mechanism is "
        "not a steady state (Kayah's small modern sector feeds on itself, +17.5% in 20 years and rising, seed 1; "
        "8.4% at 3 and 10 km, seeds 1 and 2).",
        kind="uncertainty",
        construction=None,
    ),
    Param(
        name="capital_share",
        default=0.25,
        unit="share",
        bounds=(0.0, 0.6),
        description="Capital: capital's share of the cost of the modern sector's variable inputs (Cobb-Douglas in "
        "labour and capital rented at a fixed user cost); a modern job's value added is sigma / ((sigma - 1)(1 - "
        "share)) times its wage.",
        source="Capital's share of national income is about a third once the self-employed's labour income is "
        "counted (Gollin 2002, J. Political Economy 110(2): 0.2-0.35 across countries), the value growth accounting "
        "uses (Caselli 2005, Handbook of Economic Growth vol. 1A). With sigma 5 and overhead labour of a tenth, 0.25 "
        "gives capital (rent and profits) a third of modern value added. Alder, Shao & Zilibotti (2016, J. Econ. "
        "Growth 21(4)) find physical capital the main channel of zones' effect on host GDP.",
        kind="uncertainty",
    ),
    Param(
        name="capital_elasticity",
        default=0.03,
        unit="elasticity",
        bounds=(0.0, 0.06),
        description="Capital: elasticity of province TFP with respect to its capital stock relative to the "
        "calibrated steady state (an external effect of capital, beyond the output of the firms it belongs to; "
        "revenue responds with (sigma - 1) times it).",
        source="Author's calibration. Aggregate capital raising everyone's productivity is the learning-by-investing "
        "externality of Arrow (1962) and Romer (1986); its size is not well measured. The stock feeds on itself "
        "through entry (entrants follow TFP) and reinvested profits. With capital's share at 0.25, the 20-year "
        "baseline with every mechanism moves no province by more than 9.3% at 0.06, the bound (seeds 1 and 2, "
        "against 5.6% at the default). (In the calibration by income alone it ran away at 0.08, +31% in a province, "
        "while floods of entrants into full zones fed the stock, before the queue costs of a province's zones were "
        "solved together; then 7.6%. Without capital's share the edge was between 0.08 and 0.1: firms that need fewer "
        "workers for the same revenue meet less of the wage rise that holds the feedback back.)",
        kind="uncertainty",
    ),
    Param(
        name="depreciation",
        default=0.06,
        unit="share per year",
        bounds=(0.0, 0.3),
        description="Capital: share of the capital stock lost each year.",
        source="Penn World Table 10 average depreciation rates are 4-6% a year for developing Asia (Feenstra, "
        "Inklaar & Timmer 2015, AER 105(10)). The bound keeps the calibrated GMS with every mechanism near a "
        "steady state: at 0.3 no province moves by more than 7.6% in 20 years (seeds 1 and 2; 6.9% at 0.5, where "
        "one province moved by 11% before the queue costs of a province's zones were solved together).",
        kind="uncertainty",
        construction=None,
    ),
    Param(
        name="reinvestment",
        default=0.3,
        unit="share of after-tax profit",
        bounds=(0.0, 1.0),
        description="Capital: share of firms' after-tax profits invested in their province's capital stock.",
        source="Author's assumption: retained earnings finance most fixed investment of firms in developing Asia; "
        "about a third of profits reinvested.",
        kind="uncertainty",
        construction=None,
    ),
    Param(
        name="learning_gain",
        default=0.2,
        unit="share",
        bounds=(0.0, 1.0),
        description="Learning: productivity a zone firm gains over its first years (exporting and zone services).",
        source="Atkin, Khandelwal & Osman (2017, QJE 132(2)): exporting raised Egyptian rug producers' productivity "
        "by 16-26%.",
        kind="uncertainty",
    ),
    Param(
        name="learning_years",
        default=2.0,
        unit="years",
        bounds=(0.1, 20.0),
        description="Learning: time constant of a zone firm's productivity gain (63% of it after this many years).",
        source="Atkin, Khandelwal & Osman (2017): quality and productivity gains build up over the first two to "
        "three years of exporting.",
        kind="uncertainty",
    ),
)


ACTS_ONLY_THROUGH = {
    "labour_market": ("land_elasticity", "subsistence"),
    "agglomeration": ("agglomeration_elasticity", "spillover_km"),
    "capital": ("capital_share", "capital_elasticity"),
    "learning": ("learning_gain", "learning_years"),
}
"""The parameters (section ``economy``) that act only through each mechanism. Capital's ``depreciation`` and
``reinvestment`` are not among them: every run keeps the capital stocks (the panel's ``capital_stock`` and
``fdi_stock``) whether or not they act on productivity."""


@dataclass(frozen=True)
class Mechanisms:
    """Which mechanisms are on; a mechanism that is off has its elasticity (or gain) set to 0.

    Attributes:
        labour_market: traditional earnings respond to traditional employment.
        agglomeration: TFP responds to the modern employment within reach.
        capital: modern firms use capital (its rent is part of GDP) and TFP responds to the capital stock.
        learning: zone firms' productivity rises over their first years.
    """

    labour_market: bool = True
    agglomeration: bool = True
    capital: bool = True
    learning: bool = True

    @classmethod
    def none(cls) -> Mechanisms:
        """Every mechanism off (the textbook presets)."""
        return cls(**{f.name: False for f in fields(cls)})

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The mechanisms' names, in order."""
        return tuple(f.name for f in fields(cls))

    def on(self) -> list[str]:
        """The names of the mechanisms that are on."""
        return [name for name, value in asdict(self).items() if value]

    def inert(self) -> set[str]:
        """Registry keys of the parameters that cannot change a run with these switches (those of mechanisms off)."""
        return {
            f"economy.{name}"
            for mechanism, names in ACTS_ONLY_THROUGH.items()
            if not getattr(self, mechanism)
            for name in names
        }

    def elasticities(self, economy: dict) -> dict[str, float]:
        """The parameters in force: each mechanism's strength from ``economy``, or 0 where it is off."""
        return {
            "land_elasticity": economy["land_elasticity"] * self.labour_market,
            "agglomeration_elasticity": economy["agglomeration_elasticity"] * self.agglomeration,
            "capital_share": economy["capital_share"] * self.capital,
            "capital_elasticity": economy["capital_elasticity"] * self.capital,
            "learning_gain": economy["learning_gain"] * self.learning,
        }


KM_PER_DEGREE = 111.2
"""Kilometres per degree of latitude (and of longitude at the equator)."""

DISK_RINGS = 8
DISK_ANGLES = 24
"""Each province's area is sampled as a disk of DISK_RINGS equal-area rings of DISK_ANGLES points each."""

FAR = 8.0
"""Decay lengths beyond which a province's area is not sampled for a spillover weight (it is below exp(-FAR))."""


def disk_points(area_km2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (km, east and north) of points spread evenly over a disk of each province's area.

    Returns:
        ``(east, north)``, each (N, DISK_RINGS * DISK_ANGLES): the points at the equal-area rings' middle radii.
    """
    radius = np.sqrt(np.asarray(area_km2, float) / np.pi)
    rings = np.sqrt((np.arange(DISK_RINGS) + 0.5) / DISK_RINGS)  # middle radii of equal-area rings, per unit radius
    angles = 2.0 * np.pi * (np.arange(DISK_ANGLES) + 0.5 * (np.arange(DISK_RINGS)[:, None] % 2)) / DISK_ANGLES
    rho = (rings[:, None] * np.ones(DISK_ANGLES)).ravel()
    theta = angles.ravel()
    return radius[:, None] * rho * np.cos(theta), radius[:, None] * rho * np.sin(theta)


def spillover_weights(lon: np.ndarray, lat: np.ndarray, area_km2: np.ndarray, decay_km: float) -> np.ndarray:
    """``w[i, j]``: the mean of ``exp(-distance / decay_km)`` over province i's area, from province j's centre.

    Modern employment is placed at each province's centre (where its zones and towns are); its effect on another
    province is averaged over that province's area, drawn as a disk, so a neighbour whose near side lies within reach
    of a zone gains in proportion to how much of it does, and a province's own weight falls with its size (it is
    exact: ``2 / x**2 (1 - exp(-x) (1 + x))`` with ``x`` its radius over ``decay_km``).
    Distances are on a local flat map (equirectangular about the two points' mean latitude), which is accurate to
    well under 1% at the few hundred kilometres where the weights matter. Pairs whose nearest points are more than
    :data:`FAR` decay lengths apart get ``exp(-centre distance / decay_km)``, below ``exp(-FAR)`` either way.

    Accuracy of the disk's sampling (:func:`disk_points`), against a 400,000-point Monte Carlo on random
    configurations: within 2% when a province's radius is up to about three decay lengths, and up to 5% where it is
    four (a 20,000 km2 province at a 20 km decay) and a source sits near its edge; twice the rings would halve that
    at three times the cost. The factors use the ratio of within-reach employment to its calibrated level, which
    the same weights give, so such errors largely cancel.
    """
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    cos_lat = np.cos(np.radians((lat[:, None] + lat[None, :]) / 2.0))
    dx = (lon[:, None] - lon[None, :]) * KM_PER_DEGREE * cos_lat  # centre of i from centre of j, east
    dy = (lat[:, None] - lat[None, :]) * KM_PER_DEGREE
    centre = np.hypot(dx, dy)
    weights = np.exp(-centre / decay_km)
    radius = np.sqrt(np.asarray(area_km2, float) / np.pi)
    i, j = np.nonzero(centre - radius[:, None] < FAR * decay_km)
    east, north = disk_points(area_km2)
    distance = np.hypot(dx[i, j, None] + east[i], dy[i, j, None] + north[i])
    weights[i, j] = np.exp(-distance / decay_km).mean(axis=1)
    # Within a province the source is at the disk's centre, where sampling is coarsest: the mean is exact there.
    ratio = radius / decay_km
    own = np.where(ratio > 0, 2.0 / np.maximum(ratio, 1e-12) ** 2 * (1.0 - np.exp(-ratio) * (1.0 + ratio)), 1.0)
    np.fill_diagonal(weights, own)
    return weights


@dataclass
class Agglomeration:
    """Province TFP factors from the modern employment within reach.

    Attributes:
        weights: (N, N) spillover weights (:func:`spillover_weights`).
        base: (N,) the modern employment within reach at t = 0, ``S0``.
        elasticity: the agglomeration elasticity in force (0 = off).
    """

    weights: np.ndarray
    base: np.ndarray
    elasticity: float

    @classmethod
    def calibrated(cls, weights: np.ndarray, employment_m: np.ndarray, elasticity: float) -> Agglomeration:
        """The mechanism with ``S0`` from the calibrated modern employment (factors are 1 there)."""
        base = weights @ employment_m
        # A province with no modern jobs within reach has no agglomeration to lose or gain from its own level.
        return cls(weights, np.where(base > 0, base, 1.0), elasticity)

    def reach(self, employment_m: np.ndarray) -> np.ndarray:
        """``S_i``: modern employment within reach of each province."""
        return self.weights @ employment_m

    def factor(self, employment_m: np.ndarray) -> np.ndarray:
        """``(S_i / S0_i) ** elasticity``."""
        if self.elasticity == 0.0:
            return np.ones(len(self.base))
        return (np.maximum(self.reach(employment_m), 0.0) / self.base) ** self.elasticity


@dataclass
class Capital:
    """Capital stocks per province (model currency), their accumulation and the TFP factor they give.

    Investment in a step is the entry cost of its entrants (in their province's mean profits, as the FDI they
    bring) plus the reinvested share of after-tax profits; the stock depreciates, and firms that exit scrap their
    share of it. Foreign owners' part is tracked apart (the panel's ``fdi_stock``).

    Attributes:
        stock, foreign: (N,) capital of all owners and of foreign owners.
        base: (N,) the calibrated steady state ``K0`` (the factor is 1 there).
        depreciation: share lost per step.
        reinvestment: share of after-tax profits invested.
        elasticity: the capital elasticity in force (0 = the stock is accounted but does not raise TFP).
    """

    stock: np.ndarray
    foreign: np.ndarray
    base: np.ndarray
    depreciation: float
    reinvestment: float
    elasticity: float

    @staticmethod
    def investment(
        entrants: np.ndarray, entry_cost: np.ndarray, profits: np.ndarray, reinvestment: float, steps_per_year: int
    ) -> np.ndarray:
        """Investment in a step: ``entrants * entry_cost + reinvestment * profits / steps_per_year``.

        Args:
            entrants: (N,) entrants in the step.
            entry_cost: (N,) investment per entrant (model currency).
            profits: (N,) after-tax profits, annual rate (losses do not disinvest: give them as 0).
            reinvestment: share of profits invested.
            steps_per_year: steps per year.
        """
        return entrants * entry_cost + reinvestment * profits / steps_per_year

    @classmethod
    def steady(
        cls,
        investment: np.ndarray,
        foreign_investment: np.ndarray,
        depreciation_per_year: float,
        exit_rate_per_year: float,
        reinvestment: float,
        elasticity: float,
        steps_per_year: int,
    ) -> Capital:
        """The stocks that a constant investment per step keeps constant when a constant share of the firms exits.

        ``K0 = I / (1 - (1 - delta) (1 - exit rate))`` per step. Without depreciation and exits no stock is
        steady; the calibrated investment then counts as the stock (it only sets the unit of the factor).
        """
        delta, exits = depreciation_per_year / steps_per_year, exit_rate_per_year / steps_per_year
        outflow = 1.0 - (1.0 - delta) * (1.0 - exits)
        scale = 1.0 / outflow if outflow > 0 else 1.0
        stock, foreign = investment * scale, foreign_investment * scale
        return cls(stock.copy(), foreign, np.where(stock > 0, stock, 1.0), delta, reinvestment, elasticity)

    def accumulate(self, investment: np.ndarray, foreign_investment: np.ndarray, survival: np.ndarray) -> None:
        """One step: ``K' = (1 - delta) s K + I``, for all owners and for foreign owners.

        Args:
            investment: (N,) this step's investment by all owners.
            foreign_investment: (N,) this step's investment by foreign owners.
            survival: (N,) share of each province's firms that did not exit in the step (exits scrap their capital).
        """
        self.stock = (1.0 - self.depreciation) * survival * self.stock + investment
        self.foreign = (1.0 - self.depreciation) * survival * self.foreign + foreign_investment

    def factor(self) -> np.ndarray:
        """``(K_i / K0_i) ** elasticity``."""
        if self.elasticity == 0.0:
            return np.ones(len(self.base))
        return (self.stock / self.base) ** self.elasticity


def learning(age_years: np.ndarray, gain: float, years: float) -> np.ndarray:
    """Productivity of a zone firm relative to when it entered: ``1 + gain (1 - exp(-age / years))``.

    Args:
        age_years: ages in years (negative ages, of firms not yet born, count as 0).
        gain: the productivity gained in the long run (0 = no learning).
        years: the time constant.
    """
    return 1.0 + gain * -np.expm1(-np.maximum(age_years, 0.0) / years)


def anticipated_learning(gain: float, years: float, sigma: float, beta: float, horizon: int = 400) -> float:
    """The revenue factor an entrant expects from learning over its life, as an annuity-weighted mean.

    ``(1 - beta) sum_t beta**t learning(t + 1/2) ** (sigma - 1)`` over years t, with ``beta`` the yearly discount
    factor (survival over interest). Entrants who anticipate it select into zones as the calibrated members did
    (whose productivity includes what they learned); without it a zone's entrants would be chosen for a lower
    revenue than its members earn, and zones would drift.

    Args:
        gain: the productivity gained in the long run (:func:`learning`).
        years: the time constant of learning.
        sigma: elasticity of substitution (revenue is productivity to the power sigma - 1).
        beta: yearly discount factor, below 1.
        horizon: years summed.
    """
    if not gain:
        return 1.0
    t = np.arange(horizon) + 0.5
    weights = beta ** np.arange(horizon)
    return float(np.sum(weights * learning(t, gain, years) ** (sigma - 1.0)) / np.sum(weights))
