"""The vulnerability self-assessment of a space: context, measures, one scenario per attack type, versions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pactesur.assessments import scoring
from pactesur.assessments.library import AttackType
from pactesur.cities.models import City, CityOwned
from pactesur.cities.stored_text import shown_parts
from pactesur.measures.models import MeasureType


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")


class Mode(models.TextChoices):
    MATRIX = "matrix", _("Consequence × probability (5 × 5)")
    FEMA = "fema", _("FEMA 452: asset value × threat × vulnerability")


BAND_LABELS = {
    scoring.LOW: _("Low"),
    scoring.MEDIUM: _("Medium"),
    scoring.HIGH: _("High"),
    scoring.VERY_HIGH: _("Very high"),
}


def _shown(value: Any) -> Any:
    """A figure as pages show it: areas to the square metre."""
    return round(value) if isinstance(value, float) else value


# The space's figures an assessment works with: the space holds them, a submitted assessment keeps a copy.
CROWD_FIGURES = ("usual_crowd", "peak_crowd", "peak_times", "area_m2")


class Assessment(CityOwned):
    """The living assessment of one space; only `pactesur.assessments.actions` writes it."""

    view_action = "assessment.view"
    edit_action = "assessment.edit"

    space = models.OneToOneField("spaces.Space", on_delete=models.CASCADE, related_name="assessment")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    mode = models.CharField(_("scoring mode"), max_length=8, choices=Mode.choices, default=Mode.MATRIX)
    cycle = models.PositiveIntegerField(_("cycle"), default=1)

    # Step 1: the space, its users and peak times. Who uses the space is the assessment's own text
    # (started from the space's description); the crowd figures, peak times and area are the space's
    # (`CROWD_FIGURES`): a draft reads and writes them there, and these columns keep the figures
    # the assessment was submitted with, so that a version in review or approved keeps them.
    users_description = models.TextField(_("users of the space"), blank=True)
    submitted_peak_times = models.TextField(_("peak times as submitted"), blank=True)
    submitted_usual_crowd = models.PositiveIntegerField(
        _("usual crowd as submitted (people)"), null=True, blank=True
    )
    submitted_peak_crowd = models.PositiveIntegerField(
        _("peak crowd as submitted (people)"), null=True, blank=True
    )
    submitted_area_m2 = models.FloatField(_("area as submitted (m²)"), default=0.0)
    # FEMA mode: the value of the space as an asset (1–10), the same for every scenario.
    asset_value = models.PositiveSmallIntegerField(
        _("asset value (1–10)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )

    # The usable area is the outline minus buildings and minus what stands on it at peak time: stalls,
    # stages, parked vehicles (the assessor's figure; docs/risk-method.md §3). Unknown: none assumed.
    obstacles_m2 = models.FloatField(
        _("area taken by stalls, stages and other obstacles at peak time (m²)"), null=True, blank=True
    )
    # Who changed anything in the current cycle (user ids): none of them may approve it.
    editors = models.JSONField(default=list, blank=True)

    review_due = models.DateField(_("next review"), null=True, blank=True)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # The scores of the last approved version, {attack type: score}: what the network comparison reads.
    approved_profile = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["space__name", "id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [models.Index(fields=["city", "status", "review_due"])]

    def __str__(self) -> str:
        return f"{self.space.shown_name} ({self.get_status_display()})"

    @property
    def is_fema(self) -> bool:
        return self.mode == Mode.FEMA

    @property
    def editable(self) -> bool:
        return self.status == Status.DRAFT

    def _figure(self, name: str) -> Any:
        """A crowd figure: the space's while a draft, the one submitted since."""
        if self.status == Status.DRAFT:
            return getattr(self.space, name)
        return getattr(self, f"submitted_{name}")

    @property
    def usual_crowd(self) -> int | None:
        value: int | None = self._figure("usual_crowd")
        return value

    @property
    def peak_crowd(self) -> int | None:
        value: int | None = self._figure("peak_crowd")
        return value

    @property
    def peak_times(self) -> str:
        return str(self._figure("peak_times"))

    @property
    def area_m2(self) -> float:
        return float(self._figure("area_m2"))

    def record_figures(self) -> None:
        """Keep the space's figures as the ones this assessment is submitted with (not saved)."""
        for name in CROWD_FIGURES:
            setattr(self, f"submitted_{name}", getattr(self.space, name))

    def figures_changed_since_submitted(self) -> list[str]:
        """Which of the space's figures (`CROWD_FIGURES`) differ now from those the assessment was
        submitted with; none while it is a draft (it reads the space's)."""
        if self.status == Status.DRAFT:
            return []
        return [
            name for name in CROWD_FIGURES if _shown(getattr(self.space, name)) != _shown(self._figure(name))
        ]

    @property
    def density_p_m2(self) -> float | None:
        if not self.peak_crowd or not self.area_m2:
            return None
        return self.peak_crowd / self.area_m2


class MeasureStatus(models.TextChoices):
    EXISTING = "existing", _("Existing")
    PLANNED = "planned", _("Planned")


class CoverageHours(models.TextChoices):
    """When a measure is in place, as a share of the crowded times an attack would choose."""

    ALWAYS = "always", _("At all crowded times")
    MOST = "most", _("At most crowded times")
    EVENTS = "events", _("Only during events")
    SOMETIMES = "sometimes", _("Now and then")


# The share of the crowded times each choice covers (assumption, docs/risk-method.md §5).
HOURS_SHARE: dict[str, float] = {
    CoverageHours.ALWAYS: 1.0,
    CoverageHours.MOST: 0.75,
    CoverageHours.EVENTS: 0.5,
    CoverageHours.SOMETIMES: 0.25,
}


class ExistingMeasure(models.Model):
    """Step 2: a measure already at the space, or planned there (what-if) — each type once per space,
    with what it covers: which entries or part of the space, at which hours, and its side effects."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="measures")
    measure_type = models.ForeignKey(MeasureType, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=MeasureStatus.choices, default=MeasureStatus.EXISTING
    )
    notes = models.TextField(_("notes"), blank=True)
    coverage_pct = models.PositiveSmallIntegerField(
        _("share of the entries or of the space covered (%)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    coverage_note = models.CharField(_("which entries or parts"), max_length=300, blank=True)
    hours = models.CharField(
        _("when"), max_length=10, choices=CoverageHours.choices, default=CoverageHours.ALWAYS
    )
    side_effects = models.TextField(_("side effects"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "measure_type__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "measure_type"], name="assessment_measure_type_once"
            ),
            models.CheckConstraint(
                condition=models.Q(coverage_pct__gte=1, coverage_pct__lte=100),
                name="assessment_measure_coverage_1_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_type.display_name} ({self.get_status_display()})"

    @property
    def coverage(self) -> float:
        """The share (0–1) of the exposure the measure covers: entries or area × hours."""
        return self.coverage_pct / 100.0 * HOURS_SHARE.get(self.hours, 1.0)


class Decision(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    TREAT = "treat", _("Treat")


def _scale(low: int, high: int) -> list[Any]:
    return [MinValueValidator(low), MaxValueValidator(high)]


class Scenario(models.Model):
    """Steps 3 and 4: one attack type at the space, its description, evidence and ratings."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scenarios")
    attack_type = models.CharField(_("attack type"), max_length=20, choices=AttackType.choices)
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(_("scenario"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    probability = models.PositiveSmallIntegerField(_("probability (1–5)"), null=True, blank=True)
    consequence = models.PositiveSmallIntegerField(_("consequence (1–5)"), null=True, blank=True)
    # Pre-filled values (from the approach analysis and crowd density) and how they were reached.
    suggested_probability = models.PositiveSmallIntegerField(null=True, blank=True)
    suggested_consequence = models.PositiveSmallIntegerField(null=True, blank=True)
    # How they were reached: the rule's steps as message ids and parameters, shown in the reader's
    # language (`suggestion_text`); the English text beside them for a row written before they were.
    suggestion_parts = models.JSONField(default=list, blank=True)
    suggestion_explanation = models.TextField(blank=True)
    override_reason = models.TextField(_("reason for overruling the suggestion"), blank=True)
    # Threat and vulnerability, rated apart: 1–5 in the 5×5 mode (the probability is derived from them,
    # `scoring.PROBABILITY_TABLE`), 1–10 in the FEMA mode.
    threat = models.PositiveSmallIntegerField(_("threat"), null=True, blank=True)
    vulnerability = models.PositiveSmallIntegerField(_("vulnerability"), null=True, blank=True)
    suggested_threat = models.PositiveSmallIntegerField(null=True, blank=True)
    suggested_vulnerability = models.PositiveSmallIntegerField(null=True, blank=True)
    # Facts before judgements: the answers to the observable questions of this attack type
    # (`pactesur.assessments.facts`), {question key: answer}; they feed the suggested ratings.
    facts = models.JSONField(default=dict, blank=True)
    # The decision on the risk: accept it or treat it, why, and who decided.
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_name = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Out of scope at this space (say, no drone can fly there): no ratings, no score, a reason kept.
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    not_applicable_reason = models.TextField(_("why it is not applicable"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "attack_type"], name="assessment_one_scenario_per_type"
            ),
            models.CheckConstraint(
                condition=models.Q(probability__isnull=True)
                | models.Q(probability__gte=1, probability__lte=5),
                name="scenario_probability_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(consequence__isnull=True)
                | models.Q(consequence__gte=1, consequence__lte=5),
                name="scenario_consequence_1_5",
            ),
            # The database refuses an empty reason; a reason of blanks only is refused by the action.
            models.CheckConstraint(
                condition=models.Q(not_applicable=False) | ~models.Q(not_applicable_reason=""),
                name="scenario_not_applicable_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(not_applicable=False)
                | models.Q(
                    probability__isnull=True,
                    consequence__isnull=True,
                    threat__isnull=True,
                    vulnerability__isnull=True,
                ),
                name="scenario_not_applicable_unrated",
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_attack_type_display())

    @property
    def suggestion_text(self) -> str:
        """How the suggestion was reached, in the active language."""
        return shown_parts(self.suggestion_parts) or self.suggestion_explanation

    def score_in(self, mode: str, asset_value: int | None) -> float | None:
        """The scenario's risk score in `mode`, or None while it is not fully rated or not applicable."""
        if self.not_applicable:
            return None
        if mode == Mode.FEMA:
            if asset_value and self.threat and self.vulnerability:
                return scoring.fema_score(asset_value, self.threat, self.vulnerability)
            return None
        if self.probability and self.consequence:
            return scoring.matrix_score(self.probability, self.consequence)
        return None

    @property
    def score(self) -> float | None:
        return self.score_in(self.assessment.mode, self.assessment.asset_value)

    def band_in(self, mode: str, asset_value: int | None) -> str | None:
        """The band of the scenario's score in `mode`: FEMA scenarios take their 5×5 equivalent's."""
        score = self.score_in(mode, asset_value)
        if score is None:
            return None
        if mode == Mode.FEMA:
            return scoring.fema_equivalent_band(asset_value or 1, self.threat or 1, self.vulnerability or 1)
        return scoring.matrix_band(score)

    def cell_in(self, mode: str, asset_value: int | None) -> tuple[int, int] | None:
        """The scenario's (probability, consequence) cell of the 5×5 matrix, FEMA ones by equivalence."""
        if self.score_in(mode, asset_value) is None:
            return None
        if mode == Mode.FEMA:
            return scoring.fema_equivalent(asset_value or 1, self.threat or 1, self.vulnerability or 1)
        return (self.probability or 1, self.consequence or 1)

    @property
    def band(self) -> str | None:
        return self.band_in(self.assessment.mode, self.assessment.asset_value)

    @property
    def rated_apart(self) -> bool:
        """Rated with the method v2: threat and vulnerability, not a probability alone (an earlier one)."""
        return self.threat is not None and self.vulnerability is not None

    @property
    def settled(self) -> bool:
        """Rated in the assessment's mode, or not applicable with a reason: it no longer blocks submission."""
        if self.not_applicable:
            return bool(self.not_applicable_reason.strip())
        return self.score is not None

    @property
    def overruled(self) -> bool:
        if self.not_applicable:
            return False
        return any(
            suggested is not None and rating != suggested
            for rating, suggested in (
                (self.threat, self.suggested_threat),
                (self.vulnerability, self.suggested_vulnerability),
                (self.consequence, self.suggested_consequence),
            )
        )


class VersionKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned to draft")


class ImmutableError(RuntimeError):
    """A stored version was about to be changed or deleted."""


class AssessmentVersion(models.Model):
    """An immutable snapshot of an assessment, taken on submit and on approval."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=VersionKind.choices)
    cycle = models.PositiveIntegerField(default=1)
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["assessment", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="assessment_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ImmutableError("assessment versions cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableError("assessment versions cannot be deleted")

    def removal_blocker(self) -> str | None:
        """Why the space of this version may not be removed for good (`pactesur.spaces.removal`): an
        approved assessment is a record the city must keep; the space can only be archived."""
        if self.kind != VersionKind.APPROVED:
            return None
        return gettext("Its vulnerability assessment has an approved version (version %(number)d).") % {
            "number": self.number
        }


class ReminderLog(models.Model):
    """One overdue-review reminder sent for a city on a day: makes the reminders idempotent per day."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    recipients = models.PositiveIntegerField(default=0)
    assessments = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["city", "sent_on"], name="assessment_reminder_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.city_id} {self.sent_on}"


# --- method v2: the threat level, attacks elsewhere, re-assessment flags, actions, the team ------------


class ThreatLevel(CityOwned):
    """The national threat level and police advice as the city records it; the latest is current.

    It starts the suggested threat of every scenario, and a change raises a re-assessment flag on
    every approved assessment of the city.
    """

    view_action = "assessment.view"
    edit_action = "assessment.edit"

    level = models.PositiveSmallIntegerField(_("threat level (1–5)"), validators=_scale(1, 5))
    name = models.CharField(_("national name of the level"), max_length=80, blank=True)
    source = models.TextField(_("source and police advice"), blank=True)
    set_at = models.DateTimeField(auto_now_add=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-set_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="threat_level_1_5")
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.name}".strip()


class RecordedAttack(CityOwned):
    """An attack (or an incident) the city records because it bears on its spaces: at one of its
    spaces, or on a comparable space elsewhere. It raises re-assessment flags and the threat pre-fill."""

    view_action = "assessment.view"
    edit_action = "assessment.edit"

    attack_type = models.CharField(_("attack type"), max_length=20, choices=AttackType.choices)
    space = models.ForeignKey(
        "spaces.Space",
        verbose_name=_("at this space of the city"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    space_kind = models.CharField(_("kind of space attacked"), max_length=30, blank=True)
    happened_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    description = models.TextField(_("what happened"), blank=True)
    source = models.TextField(_("source"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-happened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.place} {self.happened_on}"


class FlagReason(models.TextChoices):
    THREAT_LEVEL = "threat_level", _("The threat level changed")
    INCIDENT = "incident", _("An incident at the space")
    COMPARABLE_ATTACK = "comparable_attack", _("An attack on a comparable space")
    OUTLINE = "outline", _("The space’s outline changed")
    CROWD = "crowd", _("The space’s crowd figures changed")
    EVENT = "event", _("A new event at the space")
    MEASURE_REMOVED = "measure_removed", _("A measure was removed")
    STALE_ANALYSIS = "stale_analysis", _("The approach analysis changed")


class ReassessmentFlag(models.Model):
    """A change that calls for the assessment to be looked at again, and the task that follows it.

    Open until the next approval of the assessment, or until someone dismisses it with a reason.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(_("reason"), max_length=20, choices=FlagReason.choices)
    # What changed, as plain values for the page (levels, names, dates, versions).
    detail = models.JSONField(default=dict, blank=True)
    raised_at = models.DateTimeField(auto_now_add=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    clearing = models.TextField(_("how it was dealt with"), blank=True)
    task = models.ForeignKey("RiskAction", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["assessment", "cleared_at"])]

    def __str__(self) -> str:
        return str(self.get_reason_display())

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class RiskAction(models.Model):
    """Something the city will do about a risk: owner, deadline, cost, status (Martyn's Law s.7's
    record of the measures decided). A re-assessment flag creates one too."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="actions")
    scenario = models.ForeignKey(
        Scenario, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    measure_type = models.ForeignKey(
        MeasureType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("action"), max_length=300)
    owner = models.CharField(_("owner"), max_length=150)
    due_on = models.DateField(_("deadline"))
    cost_eur = models.PositiveIntegerField(_("cost (€)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["assessment", "status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Organisation(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    POLICE = "police", _("Police")
    FIRE_RESCUE = "fire_rescue", _("Fire and rescue")
    OPERATOR = "operator", _("Operator of the space")
    TRANSPORT = "transport", _("Transport")
    OTHER = "other", _("Other")


class TeamMember(models.Model):
    """A member of the assessment team (the EU checklist's team: the municipality leads, with the
    police and others)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="team")
    name = models.CharField(_("name"), max_length=150)
    organisation = models.CharField(_("organisation"), max_length=20, choices=Organisation.choices)
    role = models.CharField(_("role"), max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "name", "id"]

    def __str__(self) -> str:
        return self.name
