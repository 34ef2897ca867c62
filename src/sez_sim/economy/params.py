"""Parameters of the spatial economy (MODEL.md sections 1-3, 7 and 10), declared once, here."""

from __future__ import annotations

from sez_sim.params import declare

ECONOMY = declare(
    "economy",
    (
        "sigma",
        5.0,
        "elasticity",
        (1.5, 12.0),
        "Elasticity of substitution between modern-sector varieties (CES); sigma - 1 is the trade elasticity.",
        "sigma - 1 = 4 is near the median structural trade elasticity in Head & Mayer (2014, Handbook of "
        "International Economics vol. 4, ch. 3); IDE-GSM-like (MODEL.md section 10).",
        "uncertainty",
    ),
    (
        "mu",
        0.4,
        "share",
        (0.05, 0.9),
        "Share of expenditure on modern-sector (M) goods; the rest buys the freely traded traditional good.",
        "MODEL.md section 10; FKV (1999) use mu = 0.4 in their examples. Roughly the manufacturing plus modern "
        "services share of household spending in middle-income Asia.",
        "uncertainty",
    ),
    (
        "kappa",
        4.0e-4,
        "1/km-equivalent",
        (0.0, 3.0e-3),
        "Iceberg trade cost per km-equivalent: tau_ij = exp(kappa d_ij).",
        "Author's assumption: tau = 1.5 over 1,000 km of road (ln 1.5 / 1000 = 4.05e-4), in the range of ad "
        "valorem land freight costs reported for ASEAN corridors (ERIA/IDE-GSM use similar per-km costs).",
        "uncertainty",
    ),
    (
        "sea_cost_km",
        1000.0,
        "km-equivalent",
        (0.0, 10000.0),
        "Cost of the sea leg from a port to the rest of the world.",
        "Author's assumption: shipping to East Asian and world markets costs about as much as 1,000 km of road "
        "(sea freight is cheap per km; port handling and distance add up).",
        "uncertainty",
    ),
    (
        "crossing_cost_km",
        250.0,
        "km-equivalent",
        (0.0, 5000.0),
        "Cost of one border crossing for goods (time, fees, customs), added to the international link.",
        "Author's assumption: GMS border crossings took several hours to days for trucks before the CBTA "
        "(ADB GMS Corridor Performance Measurement and Monitoring reports); 250 km is about half a day's driving.",
        "uncertainty",
    ),
    (
        "export_share",
        0.30,
        "share",
        (0.0, 0.8),
        "Calibration target: share of GMS modern-sector revenue sold to the rest of the world at t = 0 (the "
        "import share then follows from the accounting identity exports - imports = revenue - spending).",
        "Author's assumption for the GMS economies' manufacturing export orientation (exports of goods are "
        "50-70% of GDP in Viet Nam and Thailand, much less in Myanmar, Lao PDR and inland China).",
        "uncertainty",
    ),
    (
        "trade_balance",
        0.05,
        "share of modern revenue",
        (-0.5, 0.5),
        "Calibration target: the GMS's net exports of modern goods to the world over modern revenue at t = 0; "
        "with mu it pins the size of the modern sector (revenue = spending / (1 - trade_balance)).",
        "Author's assumption: the GMS runs a modest surplus in manufactures (Thailand, Viet Nam, Guangxi).",
        "uncertainty",
    ),
    (
        "modern_share_elasticity",
        0.8,
        "elasticity",
        (0.0, 3.0),
        "Calibration: how the modern employment share rises with GDP per capita across provinces "
        "(m_i proportional to y_i ** elasticity; the level follows from mu and trade_balance).",
        "Author's assumption: cross-province structural transformation (Bangkok, Ho Chi Minh City near 0.8, "
        "upland Lao and Myanmar provinces below 0.1).",
        "uncertainty",
    ),
    (
        "modern_wage_premium",
        2.0,
        "ratio",
        (1.0, 10.0),
        "Modern-sector wage floor relative to traditional earnings (Lewis / Harris-Todaro wage gap).",
        "Manufacturing wages in the GMS are roughly 1.5-3 times average agricultural earnings (ILOSTAT mean "
        "monthly earnings by sector; author's summary); Lewis (1954) put the premium at 30-50% over subsistence.",
        "uncertainty",
    ),
    (
        "traditional_floor",
        0.3,
        "share of GDP per capita",
        (0.01, 0.9),
        "Calibration: the traditional wage a_i is at least this share of a province's GDP per capita.",
        "Author's assumption; keeps the modern share consistent with the minimum wage in the poorest provinces.",
        "uncertainty",
    ),
    (
        "fixed_labour_share",
        0.10,
        "share",
        (0.0, 0.5),
        "Share of a firm's workforce that is fixed overhead (F_i is calibrated from it at t = 0).",
        "Author's assumption; overhead labour of manufacturing plants (management, maintenance) is 10-20%.",
        "uncertainty",
    ),
    (
        "employment_rate",
        0.5,
        "workers per person",
        (0.2, 0.8),
        "Employed persons per person of the population: converts wages per worker to per person.",
        "ILOSTAT: employment-to-population ratios (15+) of 0.6-0.75 in the GMS times a 15+ share of about 0.75.",
        "uncertainty",
    ),
    (
        "minimum_wage",
        {"THA": 3200.0, "VNM": 1800.0, "KHM": 2180.0, "LAO": 1540.0, "MMR": 990.0, "CHN": 2900.0, "*": 0.0},
        "US$ per worker-year",
        (0.0, 50000.0),
        "Statutory minimum wage in the modern sector, per country (0 = none).",
        "2019 levels, values from memory: Thailand 308-330 THB/day; Viet Nam regional 2.9-4.2 m VND/month; "
        "Cambodia garment sector US$182/month; Lao PDR 1.1 m kip/month; Myanmar 4,800 kyat/day; Yunnan/Guangxi "
        "first-tier 1,670-1,810 CNY/month.",
        "lever",
        "country",
    ),
    (
        "corporate_tax",
        {"THA": 0.20, "VNM": 0.20, "KHM": 0.20, "LAO": 0.24, "MMR": 0.25, "CHN": 0.25, "*": 0.20},
        "share of profit",
        (-1.0, 0.9),
        "Corporate income tax rate on operating profit, per country (negative = a subsidy).",
        "Statutory rates around 2019 (values from memory): Thailand, Viet Nam, Cambodia 20%; Lao PDR 24% (20% "
        "from 2020); Myanmar 25%; China 25% (15% for encouraged industries under the Western Development "
        "policy, not applied by default).",
        "lever",
        "country",
    ),
    (
        "solver_tolerance",
        1e-10,
        "max relative change",
        (1e-14, 1e-3),
        "Short-run equilibrium: stop when no wage or expenditure changes by more than this (in logs).",
        "Numerical setting.",
        "setting",
    ),
    (
        "solver_max_iterations",
        2000,
        "iterations",
        (10, 100000),
        "Short-run equilibrium: give up (with an error naming what did not converge) after this many iterations.",
        "Numerical setting.",
        "setting",
        None,
        True,
    ),
)
