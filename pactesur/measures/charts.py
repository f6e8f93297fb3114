"""The charts of investment plans, drawn server-side with matplotlib (the page's PNG and the PDFs)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from pactesur.measures.models import InvestmentPlan


def frontier_png(plan: InvestmentPlan) -> bytes:
    """The efficient frontier of a plan: the least residual risk each budget buys, the plan's budget
    and today's risk marked."""
    from matplotlib.figure import Figure

    points = [p for p in plan.result.get("frontier", []) if p.get("residual_risk") is not None]
    fig = Figure(figsize=(6.5, 3.4), dpi=110)
    ax = fig.add_subplot()
    ax.plot(
        [p["budget_eur"] / 1000 for p in points],
        [p["residual_risk"] for p in points],
        marker="o",
        color="#1d4f91",
    )
    ax.axvline(plan.budget_eur / 1000, color="#b3261e", linestyle="--", label=_("this plan's budget"))
    ax.axhline(plan.result.get("risk_before", 0), color="#666666", linestyle=":", label=_("risk today"))
    ax.set_xlabel(_("budget (thousand €)"))
    ax.set_ylabel(_("residual risk (5 × 5 points)"))
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
