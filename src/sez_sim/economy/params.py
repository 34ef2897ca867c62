"""Parameters of the spatial economy (docs/ODD.md 7.1-7.2), declared once, here."""

from __future__ import annotations

from sez_sim.params import Param, declare

ECONOMY = declare(
    "economy",
    Param(
        name="sigma",
        default=5.0,
        unit="elasticity",
        bounds=(1.5, 12.0),
        description="Elasticity of substitution between modern-sector varieties (CES); sigma - 1 is the trade "
        "elasticity.",
        source="sigma - 1 = 4 is near the median structural trade elasticity in Head & Mayer (2014, Handbook of "
        "International Economics vol. 4, ch. 3); the IDE-JETRO geographic simulation model (IDE-GSM) uses a similar "
        "value.",
        kind="uncertainty",
    ),
    Param(
        name="mu",
        default=0.4,
        unit="share",
        bounds=(0.15, 0.9),
        description="Share of expenditure on modern-sector (M) goods; the rest buys the freely traded traditional "
        "good.",
        source="Fujita, Krugman & Venables (1999) use mu = 0.4 in their examples. Roughly the manufacturing plus "
        "modern services share of household spending in middle-income Asia.",
        kind="uncertainty",
    ),
    Param(
        name="kappa",
        default=4.0e-4,
        unit="1/km-equivalent",
        bounds=(0.0, 2.0e-3),
        description="Iceberg trade cost per km-equivalent: tau_ij = exp(kappa d_ij).",
        source="Author's assumption: tau = 1.5 over 1,000 km of road (ln 1.5 / 1000 = 4.05e-4), in the range of ad "
        "valorem land freight costs reported for ASEAN corridors (ERIA/IDE-GSM use similar per-km costs).",
        kind="uncertainty",
    ),
    Param(
        name="sea_cost_km",
        default=1000.0,
        unit="km-equivalent",
        bounds=(0.0, 10000.0),
        description="Cost of the sea leg from a port to the rest of the world.",
        source="Author's assumption: shipping to East Asian and world markets costs about as much as 1,000 km of road "
        "(sea freight is cheap per km; port handling and distance add up).",
        kind="uncertainty",
    ),
    Param(
        name="crossing_cost_km",
        default=250.0,
        unit="km-equivalent",
        bounds=(0.0, 5000.0),
        description="Cost of one border crossing for goods (time, fees, customs), added to the international link.",
        source="Author's assumption: GMS border crossings took several hours to days for trucks before the CBTA (ADB "
        "GMS Corridor Performance Measurement and Monitoring reports); 250 km is about half a day's driving.",
        kind="uncertainty",
    ),
    Param(
        name="export_share",
        default=0.30,
        unit="share",
        bounds=(0.0, 0.8),
        description="Calibration target: share of GMS modern-sector revenue sold to the rest of the world at t = 0 "
        "(the import share then follows from the accounting identity exports - imports = revenue - spending).",
        source="Author's assumption for the GMS economies' manufacturing export orientation (exports of goods are "
        "50-70% of GDP in Viet Nam and Thailand, much less in Myanmar, Lao PDR and inland China).",
        kind="uncertainty",
    ),
    Param(
        name="trade_balance",
        default=0.05,
        unit="share of modern revenue",
        bounds=(-0.5, 0.5),
        description="Calibration target: the GMS's net exports of modern goods to the world over modern revenue at t = "
        "0; with mu it pins the size of the modern sector (revenue = spending / (1 - trade_balance)). Without a world "
        "to trade with (export_share 0, or no port) it is 0 whatever is set.",
        source="Author's assumption: the GMS runs a modest surplus in manufactures (Thailand, Viet Nam, Guangxi).",
        kind="uncertainty",
    ),
    Param(
        name="modern_share_elasticity",
        default=0.8,
        unit="elasticity",
        bounds=(0.0, 2.0),
        description="Calibration: how the modern employment share rises with GDP per capita across provinces (m_i "
        "proportional to y_i ** elasticity; the level follows from mu and trade_balance).",
        source="Author's assumption: cross-province structural transformation (Bangkok, Ho Chi Minh City near 0.8, "
        "upland Lao and Myanmar provinces below 0.1). Within a country only, unless modern_share_survey_weight is 0.",
        kind="uncertainty",
    ),
    Param(
        name="modern_share_survey_weight",
        default=1.0,
        unit="weight",
        bounds=(0.0, 1.0),
        description="Calibration: how far each country's modern sector follows its labour force surveys' industry "
        "share of employment (1; national_totals.csv) rather than the GMS-wide rule by GDP per capita (0); within "
        "a country the share rises with GDP per capita by modern_share_elasticity either way. Ignored for a dataset "
        "without survey shares.",
        source="ILO modelled estimates of industry's share of employment, 2019 (World Bank WDI SL.IND.EMPL.ZS): "
        "Cambodia 27.9%, Viet Nam 27.4%, Thailand 22.8%, Myanmar 16.9%, Lao PDR 12.9%; Yunnan and Guangxi from their "
        "statistical yearbooks (national_totals.csv). One GMS-wide rule by income (weight 0) ranks countries by "
        "income instead and gives Cambodia, Viet Nam and Myanmar a quarter to a half of their surveys' "
        "manufacturing jobs (docs/policies.md).",
        kind="uncertainty",
    ),
    Param(
        name="modern_wage_premium",
        default=2.0,
        unit="ratio",
        bounds=(1.0, 3.0),
        description="Modern-sector wage floor relative to traditional earnings (Lewis / Harris-Todaro wage gap).",
        source="Manufacturing wages in the GMS are roughly 1.5-3 times average agricultural earnings (ILOSTAT mean "
        "monthly earnings by sector; author's summary); Lewis (1954) put the premium at 30-50% over subsistence.",
        kind="uncertainty",
    ),
    Param(
        name="traditional_floor",
        default=0.3,
        unit="share of GDP per capita",
        bounds=(0.01, 0.9),
        description="Calibration: the traditional wage a_i is at least this share of a province's GDP per capita.",
        source="Author's assumption; keeps the modern share consistent with the minimum wage in the poorest provinces.",
        kind="uncertainty",
    ),
    Param(
        name="fixed_labour_share",
        default=0.10,
        unit="share",
        bounds=(0.0, 0.15),
        description="Share of a firm's workforce that is fixed overhead (F_i is calibrated from it at t = 0).",
        source="Author's assumption; overhead labour of manufacturing plants (management, maintenance) is 10-20%.",
        kind="uncertainty",
    ),
    Param(
        name="employment_rate",
        default=0.5,
        unit="workers per person",
        bounds=(0.2, 0.8),
        description="Employed persons per person of the population: converts wages per worker to per person.",
        source="ILOSTAT: employment-to-population ratios (15+) of 0.6-0.75 in the GMS times a 15+ share of about 0.75.",
        kind="uncertainty",
    ),
    Param(
        name="minimum_wage",
        default={"THA": 3200.0, "VNM": 1800.0, "KHM": 2180.0, "LAO": 1540.0, "MMR": 990.0, "CHN": 2900.0, "*": 0.0},
        unit="US$ per worker-year",
        bounds=(0.0, 50000.0),
        description="Statutory minimum wage in the modern sector, per country (0 = none).",
        source="2019 levels, values from memory: Thailand 308-330 THB/day; Viet Nam regional 2.9-4.2 m VND/month; "
        "Cambodia garment sector US$182/month; Lao PDR 1.1 m kip/month; Myanmar 4,800 kyat/day; Yunnan/Guangxi "
        "first-tier 1,670-1,810 CNY/month.",
        kind="lever",
        per="country",
    ),
    Param(
        name="corporate_tax",
        default={"THA": 0.20, "VNM": 0.20, "KHM": 0.20, "LAO": 0.24, "MMR": 0.25, "CHN": 0.25, "*": 0.20},
        unit="share of profit",
        bounds=(-1.0, 0.9),
        description="Corporate income tax rate on operating profit, per country (negative = a subsidy).",
        source="Statutory rates around 2019 (values from memory): Thailand, Viet Nam, Cambodia 20%; Lao PDR 24% (20% "
        "from 2020); Myanmar 25%; China 25% (15% for encouraged industries under the Western Development policy, not "
        "applied by default).",
        kind="lever",
        per="country",
    ),
    Param(
        name="solver_tolerance",
        default=1e-10,
        unit="max relative change",
        bounds=(1e-14, 1e-3),
        description="Short-run equilibrium: stop when no wage or expenditure changes by more than this (in logs).",
        source="Numerical setting.",
        kind="setting",
    ),
    Param(
        name="solver_max_iterations",
        default=2000,
        unit="iterations",
        bounds=(10, 100000),
        description="Short-run equilibrium: give up (with an error naming what did not converge) after this many "
        "iterations.",
        source="Numerical setting.",
        kind="setting",
        integer=True,
    ),
)
