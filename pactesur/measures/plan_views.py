"""Pages of investment plans: the list and a new plan's constraints, a plan with why each measure is
in it, its frontier chart (PNG), its CSV export, its approval."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pactesur.audit.actions import do_record_export
from pactesur.cities.access import current_city_or_403, get_city_object_or_404
from pactesur.cities.csv_cells import csv_cell
from pactesur.cities.models import has_city_perm
from pactesur.measures.actions import do_approve_plan, do_create_plan
from pactesur.measures.models import InvestmentPlan, PlanStatus


class PlanForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    budget_eur = forms.IntegerField(label=gettext_lazy("Budget (€)"), min_value=0, max_value=2_000_000_000)
    yearly_budgets = forms.CharField(
        label=gettext_lazy("Budget per year (optional)"),
        required=False,
        help_text=gettext_lazy(
            "One year per line, e.g. “2027: 400000”: each measure is then funded in one of them."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    integration_floor = forms.DecimalField(
        label=gettext_lazy("Lowest urban-integration score (0–5, optional)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(5),
        decimal_places=1,
    )
    min_protection_pct = forms.IntegerField(
        label=gettext_lazy("Least share of each space's risk removed (%, optional)"),
        required=False,
        min_value=0,
        max_value=100,
    )

    def clean_yearly_budgets(self) -> dict[int, int]:
        text = self.cleaned_data.get("yearly_budgets") or ""
        years: dict[int, int] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            year, _sep, amount = line.partition(":")
            try:
                y, a = int(year.strip()), int(amount.strip().replace(" ", "").replace(",", ""))
            except ValueError:
                raise ValidationError(
                    _("Line %(n)s: write a year and an amount, e.g. “2027: 400000”.") % {"n": number}
                ) from None
            if not 2000 <= y <= 2100 or a < 0:
                raise ValidationError(
                    _("Line %(n)s: a year from 2000 to 2100 and an amount of 0 € or more.") % {"n": number}
                )
            if y in years:
                raise ValidationError(_("Line %(n)s: %(year)s is given twice.") % {"n": number, "year": y})
            years[y] = a
        return years


def _plan_or_404(request: HttpRequest, pk: int, action: str = "plan.view") -> InvestmentPlan:
    plan: InvestmentPlan = get_city_object_or_404(
        InvestmentPlan.objects.select_related("city"), request.user, action, pk=pk
    )
    return plan


@require_http_methods(["GET", "POST"])
@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    """The city's plans; POST solves a new one with the form's budget and constraints."""
    city = current_city_or_403(request, "plan.view")
    can_edit = has_city_perm(request.user, city, "plan.edit")
    form = PlanForm(
        request.POST or None,
        initial={"name": _("Investment plan %(year)s") % {"year": timezone.localdate().year + 1}},
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Your role in this city does not allow this."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = do_create_plan(
                    city,
                    acting_user=request.user,
                    request=request,
                    name=data["name"],
                    budget_eur=data["budget_eur"],
                    yearly_budgets=data["yearly_budgets"],
                    integration_floor=data["integration_floor"],
                    min_protection_pct=data["min_protection_pct"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("measures:plan", pk=plan.pk)
    plans = InvestmentPlan.objects.for_user(request.user, "plan.view", city=city).select_related("created_by")
    return render(
        request,
        "measures/plans.html",
        {"city": city, "plans": list(plans), "form": form, "can_edit": can_edit},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    result = plan.result
    chosen_ids = {c["type_id"] for c in result.get("chosen", [])}
    return render(
        request,
        "measures/plan.html",
        {
            "plan": plan,
            "r": result,
            "types_chosen": len(chosen_ids),
            "can_approve": plan.status == PlanStatus.DRAFT
            and has_city_perm(request.user, plan.city_id, "plan.approve"),
            "greedy_extra": round(result["greedy"]["residual_risk"] - result["residual_risk"], 2)
            if result
            else None,
        },
    )


@require_POST
@login_required
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk, "plan.approve")
    try:
        do_approve_plan(plan, acting_user=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Plan “%(name)s” approved.") % {"name": plan.name})
    return redirect("measures:plan", pk=plan.pk)


@require_GET
@login_required
def plan_frontier_png(request: HttpRequest, pk: int) -> HttpResponse:
    """The efficient frontier: the least residual risk each budget buys, the plan's budget marked."""
    from matplotlib.figure import Figure

    plan = _plan_or_404(request, pk)
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
    response = HttpResponse(out.getvalue(), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


CSV_COLUMNS = (
    "space",
    "measure",
    "year",
    "quantity",
    "unit_cost_eur",
    "cost_eur",
    "maintenance_eur_per_year",
    "integration",
    "risk_removed_alone",
    "marginal_risk_removed",
    "risk_removed_per_1000_eur",
    "entries_stopped",
    "entries_not_stopped",
)


@require_GET
@login_required
def plan_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The chosen measures, one per row, with the figures that chose them; audited."""
    plan = _plan_or_404(request, pk)
    chosen = plan.result.get("chosen", [])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for c in chosen:
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    c["space"],
                    c["type"],
                    c["year"],
                    c["quantity"],
                    c["unit_cost_eur"],
                    c["cost_eur"],
                    c["maintenance_eur_per_year"],
                    c["integration"],
                    c["risk_removed_alone"],
                    c["marginal_risk_removed"],
                    c["risk_removed_per_keur"],
                    "; ".join(_entry_text(s) for s in c["stops"]),
                    "; ".join(_entry_text(s) for s in c["misses"]),
                )
            ]
        )
    do_record_export(
        acting_user=request.user,
        city=plan.city,
        what="investment plan",
        fmt="csv",
        rows=len(chosen),
        obj=plan,
        request=request,
    )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="investment-plan-{plan.pk}.csv"'
    return response


def _entry_text(entry: dict[str, Any]) -> str:
    return f"{entry['entry'] or '?'} ({entry['vehicle']} {entry['speed_kmh']} km/h)"
