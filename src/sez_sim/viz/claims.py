"""Figures of a claim's answer: the effect over the draws, the box where it fails, the effect over time."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from sez_sim.results import by_rule, significant  # noqa: E402
from sez_sim.viz.axes import year_axis  # noqa: E402
from sez_sim.viz.save import save_png  # noqa: E402

if TYPE_CHECKING:
    from sez_sim.experiments.claims import Claim


def claim_figures(claim: Claim, answer: dict[str, Any], runs: pd.DataFrame, series: pd.DataFrame, folder: Path):
    """Draw ``effects.png``, ``box.png`` (when PRIM found a box) and ``over_time.png`` (summary outcomes)."""
    folder.mkdir(parents=True, exist_ok=True)
    m, d = answer["threshold"], answer["defaults"]
    sampled = runs[runs["point"] >= 0]

    fig, ax = plt.subplots(figsize=(6.5, 3.6), layout="constrained")
    if len(sampled):
        ax.hist(sampled["effect"].dropna(), bins=max(5, min(30, len(sampled) // 2)), color="#7a9cc6", label="draws")
    ax.axvspan(d["ci_low"], d["ci_high"], color="orange", alpha=0.35, label="95% interval at the defaults")
    if claim.expect == "within":
        for end in claim.range:
            if end is not None:  # an open end has no line
                ax.axvline(end, color="black", ls="--", lw=1)
        ax.plot([], [], color="black", ls="--", lw=1, label="the range the claim expects")
    else:
        sign = 1.0 if claim.expect == "increase" else -1.0
        ax.axvline(sign * m, color="black", ls="--", lw=1, label=f"smallest effect that counts ({claim.expect})")
    if claim.baseline is not None:
        ax.axvline(0.0, color="grey", lw=0.8)
    ax.set_xlabel(f"{claim.outcome.name}: {claim.quantity}")
    ax.set_ylabel("draws")
    ax.set_title(f"{claim.name}: {d['verdict']} at the defaults", fontsize=10)
    ax.legend(fontsize=7)
    save_png(fig, folder / "effects.png")

    hinge = answer.get("hinges_on") or {}
    box = hinge.get("box")
    if box:
        ranked = [k for k in hinge["importance"] if k in box["restrictions"]] + [
            k for k in hinge["importance"] if k not in box["restrictions"]
        ]
        x, y = ranked[:2] if len(ranked) > 1 else (ranked[0], ranked[0])
        holds = sampled["holds"].astype(bool)
        fig, ax = plt.subplots(figsize=(5.5, 4.5), layout="constrained")
        ax.scatter(sampled.loc[holds, x], sampled.loc[holds, y], s=14, color="#2b7bba", label="claim holds")
        ax.scatter(sampled.loc[~holds, x], sampled.loc[~holds, y], s=14, color="#d7301f", label="claim fails")
        lim = {
            k: (box["restrictions"][k]["low"], box["restrictions"][k]["high"])
            if k in box["restrictions"]
            else (sampled[k].min(), sampled[k].max())
            for k in (x, y)
        }
        ax.add_patch(
            Rectangle(
                (lim[x][0], lim[y][0]), lim[x][1] - lim[x][0], lim[y][1] - lim[y][0], fill=False, ec="black", lw=1.2
            )
        )
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        note = "" if box["reproducible"] else " (not reproducible)"
        ax.set_title(f"PRIM box{note}: coverage {box['coverage']:.2f}, density {box['density']:.2f}", fontsize=10)
        ax.legend(fontsize=7)
        save_png(fig, folder / "box.png")

    column = claim.outcome.column
    if claim.outcome.table == "summary" and column in series.columns:
        wide = series.pivot_table(index=["year", "replicate"], columns="arm", values=column).reset_index()
        wide["effect"] = claim.judged(wide["treatment"], wide.get("baseline"))
        what, label = f"{column}: {claim.quantity}", "mean" if claim.baseline is None else "mean effect"
        band = wide.groupby("year")["effect"].agg(["mean", "min", "max"])
        fig, ax = plt.subplots(figsize=(6.5, 3.4), layout="constrained")
        ax.fill_between(band.index, band["min"], band["max"], alpha=0.3, label="replicates' range")
        ax.plot(band.index, band["mean"], lw=1.5, label=label)
        if claim.expect == "within" and not claim.outcome.change:
            # An open end reaches the edge of the effects drawn, not infinity.
            (low, high), (bottom, top) = claim.range, ax.get_ylim()
            ax.axhspan(
                bottom if low is None else low,
                top if high is None else high,
                color="black",
                alpha=0.08,
                label="the range the claim expects",
            )
        if claim.baseline is not None:
            ax.axhline(0.0, color="grey", lw=0.8)
        year_axis(ax)
        ax.set_ylabel(what)
        ax.set_title(
            f"{'the level' if claim.baseline is None else 'the effect'} over time, at the default parameters",
            fontsize=10,
        )
        ax.legend(fontsize=7)
        save_png(fig, folder / "over_time.png")


FIGURES = (
    (
        "effects.png",
        "The quantity judged in each draw of the uncertain parameters, beside the 95% interval at the defaults.",
    ),
    ("box.png", "Where the claim fails: the draws in the two most important parameters PRIM restricts, and its box."),
    ("over_time.png", "The effect at the default parameters, year by year, over the replicates."),
)

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#222;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:1.8rem;border-bottom:1px solid #ddd}
.verdict{display:inline-block;padding:.25rem .7rem;border-radius:.3rem;font-weight:bold;color:#fff}
.supported{background:#1a7f37}.contradicted{background:#b42318}.inconclusive{background:#8a6d00}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
figure{margin:1rem 0}img{max-width:100%}figcaption,.small{color:#555;font-size:.9rem}code{background:#f3f3f3}
"""


def report_html(answer: dict[str, Any], sentences: list[str], figures: Path) -> str:
    """A self-contained HTML page of a claim's answer: every figure embedded, no external assets.

    Args:
        answer: the verdict (``verdict.json``).
        sentences: the answer in plain sentences (``claims.describe``).
        figures: the folder holding the claim's figures.
    """
    e = html.escape
    d, r, h = answer["defaults"], answer["robustness"], answer["hinges_on"] or {}
    effect, low, high = (significant(d[k], signed=True) for k in ("effect", "ci_low", "ci_high"))
    parts = [
        f"<h1>{e(answer['claim'])}</h1>",
        f"<p><em>{e(' '.join(answer['statement'].split()))}</em></p>",
        f"<p class=small>Source: {e(' '.join(answer['source'].split()))}</p>",
        f"<p><span class='verdict {e(d['verdict'])}'>{e(d['verdict'])}</span> at the default parameters</p>",
        "<ul>" + "".join(f"<li>{e(line)}</li>" for line in sentences[1:]) + "</ul>",
        "<h2>At the default parameters</h2><table>",
        f"<tr><th>outcome</th><td>{e(answer['outcome'])}</td></tr>",
        f"<tr><th>expected</th><td>{e(answer['expected'])}</td></tr>",
        *(
            [f"<tr><th>baseline, mean</th><td>{significant(d['baseline'], 6)}</td></tr>"]
            if d["baseline"] is not None
            else []
        ),
        f"<tr><th>treatment, mean</th><td>{significant(d['treatment'], 6)}</td></tr>",
        f"<tr><th>{e(answer.get('quantity', 'effect'))}</th><td>{effect} (95% interval {low} to {high},"
        f" {d['replicates']} replicates)</td></tr></table>",
    ]
    if r:
        parts += [
            "<h2>Robustness over the uncertain parameters</h2>",
            f"<p>The claim holds in {r['holds']} of {r['draws']} draws ({r['share']:.0%}; exact 95% interval "
            f"{r['ci_low']:.0%}-{r['ci_high']:.0%}). The scenario rules refused {r['refused_draws']} draws, which"
            f" were redrawn{e(by_rule(r))}; {r['failed_runs']} draws failed to run and are not counted.</p>",
        ]
    box = h.get("box")
    failing = h.get("failing", "fails")
    if box:
        rows = "".join(
            f"<tr><td>{e(k)}</td><td>{significant(v['low'])}</td><td>{significant(v['high'])}</td>"
            f"<td>{'' if v.get('quasi_p') is None else format(v['quasi_p'], '.2g')}</td>"
            f"<td>{'yes' if v['reproducible'] else 'no'}</td></tr>"
            for k, v in box["restrictions"].items()
        )
        top = list(h["importance"].items())[:8]
        parts += [
            "<h2>What it hinges on</h2>",
            f"<p>PRIM's box of the draws where the claim {e(failing)}: coverage {box['coverage']:.2f} (share of the"
            " failures"
            f" inside), density {box['density']:.2f} (share of the draws inside that fail)"
            + (
                ""
                if box["reproducible"]
                else "; no restriction is both significant (quasi-p below 0.05) and found again in half the"
                " resamples, so the failures are spread over the uncertainties rather than in one corner"
            )
            + ".</p>",
            "<table><tr><th>parameter</th><th>from</th><th>to</th><th>quasi-p</th><th>counts</th></tr>"
            + rows
            + "</table>"
            if rows
            else "<p>The box restricts no parameter.</p>",
            "<p>Importance of each parameter for whether the claim fails (extra trees):</p><table>"
            + "".join(f"<tr><td>{e(k)}</td><td>{v:.3f}</td></tr>" for k, v in top)
            + "</table>",
        ]
    elif h.get("note"):
        parts += ["<h2>What it hinges on</h2>", f"<p>{e(h['note'])}.</p>"]
    shown = [(name, caption) for name, caption in FIGURES if (figures / name).is_file()]
    if shown:
        parts.append("<h2>Figures</h2>")
    for name, caption in shown:
        data = base64.b64encode((figures / name).read_bytes()).decode("ascii")
        parts.append(
            f"<figure><img alt='{e(name)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{e(caption)}</figcaption></figure>"
        )
    settings = ", ".join(f"{k} {v}" for k, v in answer.get("settings", {}).items())
    parts.append(
        f"<h2>Reproduce</h2><p class=small>Settings: {e(settings)}. Fingerprint {e(answer.get('fingerprint') or '')}"
        f" (claim, scenarios, parameter defaults, dataset and version); code commit "
        f"{e(answer.get('git_commit') or 'unknown')}. The same claim file and seed give the same answer.</p>"
    )
    title = e(f"sez-sim claim: {answer['claim']}")
    return (
        f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
        f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>\n"
    )
