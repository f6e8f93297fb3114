"""The catalogue of protective measures: shared types curated by the network's experts, and each
city's own types.

A type says what a measure is (kind, rating where one applies), what it costs (unit cost range,
maintenance per year, installation time), how long it stays (permanence), what it removes from each
attack type's ratings (`effects`, an assumption until field experience calibrates it) and how well
it fits a public space that must stay open and beautiful (`integration`, one 0–5 score per
security-by-design principle). Assessments list the measures of a space against these types.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from pactesur.cities.models import City, CityOwned
from pactesur.cities.stored_text import shown_text
from pactesur.measures.library import (
    INTEGRATION_CRITERIA,
    INTEGRATION_MAX,
    MEASURE_NAMES,
    CostUnit,
    Effect,
    MeasureFamily,
    MeasureKind,
    Permanence,
)


class MeasureTypeQuerySet(models.QuerySet["MeasureType"]):
    def shared(self) -> MeasureTypeQuerySet:
        return self.filter(city__isnull=True)

    def for_city(self, city: City | int | None) -> MeasureTypeQuerySet:
        """The types a city can use: the shared catalogue and its own (only the shared one without a city)."""
        if city is None:
            return self.shared()
        city_id = city if isinstance(city, int) else city.pk
        return self.filter(Q(city__isnull=True) | Q(city_id=city_id))


class MeasureType(models.Model):
    """A catalogue entry: shared by the network (`city` empty) or a city's own."""

    code = models.SlugField(max_length=60, unique=True)
    city = models.ForeignKey(
        City,
        verbose_name=_("city"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the network's shared catalogue."),
    )
    family = models.CharField(_("family"), max_length=20, choices=MeasureFamily.choices)
    kind = models.CharField(_("kind"), max_length=30, choices=MeasureKind.choices, blank=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    rating = models.CharField(
        _("barrier rating"),
        max_length=60,
        blank=True,
        help_text=_("As on the test certificate, e.g. V/7200[N2A]/48/90:1.5; empty where no rating applies."),
    )
    element_width_m = models.DecimalField(
        _("element width (m)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.05), MaxValueValidator(20)],
        help_text=_("For barrier elements: the width of one element, to count how many close a line."),
    )
    cost_min_eur = models.PositiveIntegerField(_("lowest unit cost (€)"), null=True, blank=True)
    cost_max_eur = models.PositiveIntegerField(_("highest unit cost (€)"), null=True, blank=True)
    cost_unit = models.CharField(
        _("cost unit"), max_length=10, choices=CostUnit.choices, default=CostUnit.ELEMENT
    )
    maintenance_eur_per_year = models.PositiveIntegerField(
        _("maintenance per year (€)"), null=True, blank=True
    )
    installation_days = models.PositiveIntegerField(_("installation time (days)"), null=True, blank=True)
    permanence = models.CharField(
        _("permanence"), max_length=20, choices=Permanence.choices, default=Permanence.PERMANENT
    )
    # {criterion: 0–5} for the security-by-design principles of INTEGRATION_CRITERIA.
    integration = models.JSONField(_("urban integration"), default=dict, blank=True)
    # {attack type: {"probability": 0–1, "consequence": 0–1}} — shares of the rating the measure
    # removes (assumption, see docs/risk-method.md).
    effects = models.JSONField(default=dict, blank=True)
    assumption = models.BooleanField(_("effects are assumptions"), default=True)
    # Seeded costs are estimates to calibrate with the network's recorded costs.
    costs_estimated = models.BooleanField(_("costs are estimates"), default=True)
    source = models.TextField(_("source"), blank=True)
    order = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True, null=True)

    objects = MeasureTypeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("measure type")
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_min_eur__isnull=True)
                | Q(cost_max_eur__isnull=True)
                | Q(cost_min_eur__lte=models.F("cost_max_eur")),
                name="measuretype_cost_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The seeded types in the reader's language; a type people added keeps the name they typed."""
        if self.city_id is None and self.code in MEASURE_NAMES:
            return str(MEASURE_NAMES[self.code])
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.city_id is None

    def unit_cost_bounds(self) -> tuple[float, float] | None:
        """(lowest, highest) unit cost in €, one bound standing for the other where only one is
        given; None for a type without a cost."""
        if self.cost_min_eur is None and self.cost_max_eur is None:
            return None
        low = self.cost_min_eur if self.cost_min_eur is not None else self.cost_max_eur
        high = self.cost_max_eur if self.cost_max_eur is not None else self.cost_min_eur
        return float(low or 0), float(high or 0)

    def effect_on(self, attack_type: str) -> Effect:
        raw = self.effects.get(attack_type) or {}
        return Effect(float(raw.get("probability", 0.0)), float(raw.get("consequence", 0.0)))

    @property
    def integration_score(self) -> float | None:
        """The mean of the principles scored (0–5), None when none is."""
        values = [
            float(v)
            for key, _label in INTEGRATION_CRITERIA
            if isinstance(v := (self.integration or {}).get(key), (int, float)) and 0 <= v <= INTEGRATION_MAX
        ]
        return round(sum(values) / len(values), 1) if values else None

    def integration_rows(self) -> list[tuple[str, Any]]:
        return [(str(label), (self.integration or {}).get(key)) for key, label in INTEGRATION_CRITERIA]


class SupplierKind(models.TextChoices):
    MANUFACTURER = "manufacturer", _("Manufacturer")
    INSTALLER = "installer", _("Installer or contractor")
    RENTAL = "rental", _("Rental company")
    IN_HOUSE = "in_house", _("The city’s own works department")
    OTHER = "other", _("Other")


class InstalledMeasure(CityOwned):
    """Field experience: a measure a city installed at one of its spaces, what it really cost, who
    supplied it, its certificate, and what happened since (`feedback`).

    A city may share it with the network (`shared`), by name or anonymised to the city's size band and
    the space's kind (`anonymised`); shared records give the catalogue the network's recorded costs.
    """

    view_action = "measure.view"
    edit_action = "measure.edit"

    space = models.ForeignKey(
        "spaces.Space", verbose_name=_("space"), on_delete=models.CASCADE, related_name="+"
    )
    measure_type = models.ForeignKey(
        MeasureType, verbose_name=_("measure type"), on_delete=models.PROTECT, related_name="installations"
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=9,
        decimal_places=1,
        default=1,
        validators=[MinValueValidator(0.1)],
        help_text=_("In the type's cost unit: elements, metres, entrances, events…"),
    )
    installed_on = models.DateField(_("installed on"))
    total_cost_eur = models.PositiveIntegerField(_("total cost paid (€)"))
    supplier_kind = models.CharField(_("kind of supplier"), max_length=20, choices=SupplierKind.choices)
    rating = models.CharField(_("barrier rating as installed"), max_length=60, blank=True)
    certificate = models.CharField(
        _("rating certificate"),
        max_length=200,
        blank=True,
        help_text=_("The test report or certificate: standard, laboratory, number."),
    )
    notes = models.TextField(_("notes"), blank=True)
    shared = models.BooleanField(_("share with the network"), default=False)
    anonymised = models.BooleanField(
        _("anonymised"),
        default=True,
        help_text=_("The network then reads the city's size band and the space's kind, not their names."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-installed_on", "-id"]
        verbose_name = _("installed measure")

    def __str__(self) -> str:
        return f"{self.measure_type.display_name} ({self.installed_on})"

    @property
    def unit_cost_eur(self) -> float | None:
        """What one unit (element, metre…) cost: the figure compared with the catalogue's estimates."""
        if not self.quantity:
            return None
        return round(self.total_cost_eur / float(self.quantity), 2)


class FeedbackKind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    MAINTENANCE = "maintenance", _("Maintenance")
    ACCEPTANCE = "acceptance", _("Public acceptance")
    OTHER = "other", _("Other")


class MeasureFeedback(models.Model):
    """What happened to an installed measure: an incident, maintenance (and its cost), how the public
    took it (1–5), with an optional photo (kept private to the city: served through a checked view)."""

    installed = models.ForeignKey(InstalledMeasure, on_delete=models.CASCADE, related_name="feedback")
    kind = models.CharField(_("kind"), max_length=20, choices=FeedbackKind.choices)
    happened_on = models.DateField(_("date"))
    text = models.TextField(_("what happened"))
    acceptance = models.PositiveSmallIntegerField(
        _("public acceptance (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    cost_eur = models.PositiveIntegerField(_("cost (€)"), null=True, blank=True)
    photo = models.ImageField(_("photo"), upload_to="measures/feedback/%Y/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name = _("feedback on a measure")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.happened_on})"


class PlanStatus(models.TextChoices):
    # "plan" context: an assessment's status takes another gender in French, Italian and Spanish.
    DRAFT = "draft", pgettext_lazy("plan", "Draft")
    APPROVED = "approved", pgettext_lazy("plan", "Approved")


# A plan still waiting for its first worker after this long probably has none: its page says so
# (as an import's does).
NO_WORKER_HINT_AFTER = datetime.timedelta(minutes=1)
NO_WORKER_HINT = gettext_noop(
    "Still waiting for a worker: is `pactesur serve` (or `pactesur manage db_worker`) running on the server?"
)


class PlanComputation(models.TextChoices):
    """How far an investment plan's background computation has got."""

    QUEUED = "queued", pgettext_lazy("plan computation", "Queued")
    RUNNING = "running", pgettext_lazy("plan computation", "Being computed")
    DONE = "done", pgettext_lazy("plan computation", "Done")
    FAILED = "failed", pgettext_lazy("plan computation", "Failed")


class InvestmentPlan(CityOwned):
    """A choice of measures over all the city's assessed spaces under a budget, solved exactly
    (pactesur.engine.invest), with what it leaves, why each measure is in it, the efficient frontier
    and the best plans just below and above the budget (`result`). Planners and security managers
    make plans; security managers and administrators approve them."""

    view_action = "plan.view"
    edit_action = "plan.edit"

    name = models.CharField(_("name"), max_length=200)
    budget_eur = models.PositiveIntegerField(_("budget (€)"))
    # {year: budget} for phasing; empty for a single period.
    yearly_budgets = models.JSONField(_("budget per year"), default=dict, blank=True)
    integration_floor = models.DecimalField(
        _("lowest integration score"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(5)],
    )
    min_protection_pct = models.PositiveSmallIntegerField(
        _("least share of each space's risk removed (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    # Catalogue types that exclude or need each other at a space, by id (`planning.TypeRules`):
    # {"exclude": [[a, b], …], "need": [[a, b], …]} (a only with b).
    measure_rules = models.JSONField(_("measures that exclude or need each other"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    result = models.JSONField(default=dict, blank=True)
    # The background computation that fills `result` (`pactesur.measures.tasks.compute_plan`): plans
    # made before it were solved while the page waited, and are done.
    computation = models.CharField(
        _("computation"), max_length=10, choices=PlanComputation.choices, default=PlanComputation.QUEUED
    )
    # Stored untranslated, a message id and its parameters (`shown_computation_message`): how far
    # the computation has got, or why it failed.
    computation_message = models.CharField(_("computation message"), max_length=255, blank=True)
    computation_params = models.JSONField(default=dict, blank=True)
    progress = models.FloatField(_("progress"), default=0.0, help_text="0 … 1")
    task_id = models.CharField(max_length=64, blank=True)
    computation_started_at = models.DateTimeField(null=True, blank=True)
    computation_finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("investment plan")

    def __str__(self) -> str:
        return self.name

    @property
    def is_computed(self) -> bool:
        """Its result is there: the computation is done."""
        return self.computation == PlanComputation.DONE

    @property
    def is_computing(self) -> bool:
        """Waiting for a worker or being computed."""
        return self.computation in (PlanComputation.QUEUED, PlanComputation.RUNNING)

    @property
    def shown_computation_message(self) -> str:
        """How far the computation has got, or why it failed, in the active language; a plan that
        no worker has taken for a while asks whether one runs."""
        waited = timezone.now() - self.created_at if self.created_at else datetime.timedelta(0)
        never_taken = self.computation == PlanComputation.QUEUED and self.computation_started_at is None
        if never_taken and waited > NO_WORKER_HINT_AFTER:
            return shown_text(NO_WORKER_HINT)
        return shown_text(self.computation_message, self.computation_params)

    @property
    def progress_percent(self) -> int:
        return round(max(0.0, min(1.0, self.progress)) * 100)


class BarrierPlan(CityOwned):
    """Barrier lines, speed reductions and closures drawn for one space and checked by the engine.

    `elements` are the drawn elements as `pactesur.engine.plans` reads them (`element_from_json`,
    GeoJSON in lon/lat), each with the catalogue type it is built of (`measure_type`, optional) for
    its cost. `judgement` is the last check's (`PlanCheck.as_json`), `checked_inputs` what it was
    made on (network, engine parameters, outline, elements and classes): a plan is accepted only
    while those inputs are still the current ones and no entry of a class it claims to cover is
    left open. Planners design plans; security managers and administrators approve them.
    """

    view_action = "plan.view"
    edit_action = "plan.edit"

    space = models.ForeignKey(
        "spaces.Space", verbose_name=_("space"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    # vehicle class codes the plan claims to cover
    vehicles = models.JSONField(_("vehicle classes"), default=list)
    elements = models.JSONField(default=list, blank=True)
    # the engine's proposal for the space (`propose_plan(...).as_json()`), when the plan started from it
    proposal = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    judgement = models.JSONField(default=dict, blank=True)
    # what the elements cost from the catalogue (`barriers.plan_cost`): min/max € and the items
    cost = models.JSONField(default=dict, blank=True)
    checked_inputs = models.JSONField(default=dict, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("barrier plan")

    def __str__(self) -> str:
        return self.name

    def removal_blocker(self) -> str | None:
        """Why the space of this plan may not be removed for good (`pactesur.spaces.removal`): an
        approved barrier plan is a decision the city must keep; the space can only be archived."""
        if self.status != PlanStatus.APPROVED:
            return None
        return gettext("Its barrier plan “%(name)s” is approved.") % {"name": self.name}
