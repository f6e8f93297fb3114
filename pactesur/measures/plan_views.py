"""Pages of investment plans: the list and a new plan's constraints, a plan with why each measure is
in it (or how far its background computation has got, also as JSON), its frontier chart (PNG), its
CSV export, its approval."""

from __future__ import annotations

import csv
import difflib
import io
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pactesur.audit.actions import do_record_export
from pactesur.cities.access import current_city_or_403, get_city_object_or_404
from pactesur.cities.csv_cells import csv_cell
from pactesur.cities.models import has_city_perm
from pactesur.measures import charts, planning
from pactesur.measures.actions import do_approve_plan, do_create_plan
from pactesur.measures.library import MEASURE_NAMES
from pactesur.measures.models import InvestmentPlan, MeasureType, PlanStatus

# Between the two types of a line: "A + B" exclude each other, "A -> B" (or "A → B") A needs B.
EXCLUDE_SEPARATORS = ("+",)
NEED_SEPARATORS = ("->", "→")
# Catalogue codes of the examples in the help texts (seeded types).
EXCLUDE_EXAMPLE = ("bollard_fixed_rated", "planter_rated")
NEED_EXAMPLE = ("cctv", "lighting")


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
    exclusions = forms.CharField(
        label=gettext_lazy("Measures that exclude each other at a space (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    requirements = forms.CharField(
        label=gettext_lazy("Measures that need another at the same space (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, city: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.types = sorted(MeasureType.objects.for_city(city), key=lambda t: t.display_name.casefold())
        self._by_name: dict[str, dict[int, MeasureType]] = {}
        for t in self.types:
            for key in (t.display_name, t.name, t.code):
                if key and key.strip():
                    self._by_name.setdefault(key.strip().casefold(), {})[t.pk] = t
        self.fields["exclusions"].help_text = _(
            "One pair per line, named as in the catalogue and joined by “+”, e.g. “%(example)s”: "
            "at most one of the two is planned at a space, and none where the other is already there."
        ) % {"example": self._example(EXCLUDE_EXAMPLE, " + ")}
        self.fields["requirements"].help_text = _(
            "One pair per line, joined by “->”, e.g. “%(example)s”: the first is planned at a space "
            "only with the second there, already or in the plan."
        ) % {"example": self._example(NEED_EXAMPLE, " -> ")}

    def _example(self, codes: tuple[str, str], separator: str) -> str:
        by_code = {t.code: t.display_name for t in self.types}
        return separator.join(by_code.get(c) or str(MEASURE_NAMES[c]) for c in codes)

    def _type(self, name: str) -> MeasureType | None:
        found = self._by_name.get(name.strip().casefold(), {})
        return next(iter(found.values())) if len(found) == 1 else None

    def _line_pair(
        self, number: int, line: str, separators: tuple[str, ...]
    ) -> tuple[MeasureType, MeasureType]:
        """The two types a line names, trying each place of the separator (a name may hold one)."""
        first_split: tuple[str, str] | None = None
        for separator in separators:
            parts = line.split(separator)
            for i in range(1, len(parts)):
                left, right = separator.join(parts[:i]).strip(), separator.join(parts[i:]).strip()
                first_split = first_split or (left, right)
                a, b = self._type(left), self._type(right)
                if a is not None and b is not None:
                    return a, b
        if first_split is None or not all(first_split):
            raise ValidationError(
                _("Line %(n)s: write two measure types joined by “%(separator)s”.")
                % {"n": number, "separator": separators[0]}
            )
        unknown = next(name for name in first_split if self._type(name) is None)
        if len(self._by_name.get(unknown.casefold(), {})) > 1:
            raise ValidationError(
                _("Line %(n)s: several measure types are called “%(name)s”: write the type’s code.")
                % {"n": number, "name": unknown}
            )
        close = difflib.get_close_matches(unknown.casefold(), list(self._by_name), n=1, cutoff=0.6)
        if close:
            shown = next(iter(self._by_name[close[0]].values())).display_name
            raise ValidationError(
                _(
                    "Line %(n)s: no measure type “%(name)s” in this city’s catalogue; "
                    "did you mean “%(close)s”?"
                )
                % {"n": number, "name": unknown, "close": shown}
            )
        raise ValidationError(
            _("Line %(n)s: no measure type “%(name)s” in this city’s catalogue.")
            % {"n": number, "name": unknown}
        )

    def _pairs(self, field: str, separators: tuple[str, ...], itself: str) -> list[tuple[int, int]]:
        pairs: list[tuple[int, int]] = []
        errors: list[ValidationError] = []
        for number, line in enumerate((self.cleaned_data.get(field) or "").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                a, b = self._line_pair(number, line, separators)
            except ValidationError as exc:
                errors.append(exc)
                continue
            if a.pk == b.pk:
                errors.append(ValidationError(itself % {"n": number}))
            elif (a.pk, b.pk) not in pairs:
                pairs.append((a.pk, b.pk))
        if errors:
            raise ValidationError(errors)
        return pairs

    def clean_exclusions(self) -> list[tuple[int, int]]:
        pairs = self._pairs(
            "exclusions", EXCLUDE_SEPARATORS, _("Line %(n)s: a measure type cannot exclude itself.")
        )
        unique: list[tuple[int, int]] = []
        for a, b in pairs:
            if (b, a) not in unique:
                unique.append((a, b))
        return unique

    def clean_requirements(self) -> list[tuple[int, int]]:
        return self._pairs(
            "requirements", NEED_SEPARATORS, _("Line %(n)s: a measure type cannot need itself.")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        excluded = {frozenset(p) for p in data.get("exclusions") or []}
        names = {t.pk: t.display_name for t in self.types}
        for a, b in data.get("requirements") or []:
            if frozenset((a, b)) in excluded:
                self.add_error(
                    "requirements",
                    _("“%(a)s” needs “%(b)s”, but they exclude each other: remove one of the two lines.")
                    % {"a": names[a], "b": names[b]},
                )
        return data

    def measure_rules(self) -> dict[str, list[list[int]]]:
        """The cleaned rules as the plan stores them (`planning.TypeRules`)."""
        return planning.TypeRules(
            exclude=tuple(self.cleaned_data.get("exclusions") or ()),
            need=tuple(self.cleaned_data.get("requirements") or ()),
        ).as_json()

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
    """The city's plans; POST keeps a new one with the form's budget and constraints and queues its
    computation (its page follows it)."""
    city = current_city_or_403(request, "plan.view")
    can_edit = has_city_perm(request.user, city, "plan.edit")
    form = PlanForm(
        request.POST or None,
        city=city,
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
                    measure_rules=form.measure_rules(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("measures:plan", pk=plan.pk)
    plans = InvestmentPlan.objects.for_user(request.user, "plan.view", city=city).select_related("created_by")
    return render(
        request,
        "measures/plans.html",
        {
            "city": city,
            "plans": list(plans),
            "form": form,
            "can_edit": can_edit,
            "type_names": [t.display_name for t in form.types],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@require_GET
@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's result once computed; until then, how far its computation has got (followed by
    measures/plan-status.js, which reloads the page when it is done)."""
    plan = _plan_or_404(request, pk)
    result = plan.result if plan.is_computed else {}
    chosen_ids = {c["type_id"] for c in result.get("chosen", []) if c.get("type_id") is not None}
    return render(
        request,
        "measures/plan.html",
        {
            "plan": plan,
            "r": result,
            "reasons": planning.shown_reasons(result),
            "solver_messages": planning.shown_messages(result),
            "types_chosen": len(chosen_ids),
            "can_approve": plan.status == PlanStatus.DRAFT
            and plan.is_computed
            and has_city_perm(request.user, plan.city_id, "plan.approve"),
            "greedy_extra": round(result["greedy"]["residual_risk"] - result["residual_risk"], 2)
            if result
            else None,
            "status_data": {
                "statusUrl": reverse("measures:plan_status", args=[plan.pk]),
                "pending": plan.is_computing,
            },
        },
    )


@require_GET
@login_required
def plan_status(request: HttpRequest, pk: int) -> HttpResponse:
    """How far the plan's computation has got (JSON, for the plan page's script)."""
    plan = _plan_or_404(request, pk)
    response = JsonResponse(
        {
            "plan": plan.pk,
            "computation": plan.computation,
            "label": plan.get_computation_display(),
            "pending": plan.is_computing,
            "message": plan.shown_computation_message,
            "percent": plan.progress_percent,
        }
    )
    patch_cache_control(response, no_store=True)
    return response


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
    plan = _plan_or_404(request, pk)
    response = HttpResponse(charts.frontier_png(plan), content_type="image/png")
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
    "url",
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
        if c.get("barrier_plan_id"):
            name = planning.barrier_plan_label(c.get("barrier_plan_name") or "")
            url = request.build_absolute_uri(reverse("measures:barrier", args=[c["barrier_plan_id"]]))
        else:
            name = c["type"]
            url = request.build_absolute_uri(reverse("measures:detail", args=[c["type_id"]]))
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    c["space"],
                    name,
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
                    url,
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
