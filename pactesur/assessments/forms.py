"""Forms of the assessment steps; they validate input, the actions in actions.py write it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pactesur.assessments.library import (
    CONSEQUENCE_GUIDANCE,
    FEMA_RATING_WORDS,
    THREAT_GUIDANCE,
    VULNERABILITY_GUIDANCE,
)
from pactesur.assessments.models import Assessment, CoverageHours, MeasureStatus, Mode, Scenario
from pactesur.measures.models import MeasureType
from pactesur.spaces.forms import add_crowd_order_errors
from pactesur.spaces.models import Space


def _level_choices(guidance: dict[int, Any]) -> list[tuple[Any, Any]]:
    # format_lazy: the label is built in the language of each request, not at import time.
    return [("", _("not rated"))] + [
        (level, format_lazy("{} — {}", level, text)) for level, text in guidance.items()
    ]


def _fema_choices() -> list[tuple[Any, Any]]:
    return [("", _("not rated"))] + [
        (i, format_lazy("{} — {}", i, FEMA_RATING_WORDS[i])) for i in range(1, 11)
    ]


def _optional_level(label: Any, choices: list[tuple[Any, Any]], **kwargs: Any) -> forms.TypedChoiceField:
    """A level that may be left empty: the chosen number as an int, or None."""
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=int, empty_value=None, required=False, **kwargs
    )


class ContextForm(forms.Form):
    users_description = forms.CharField(
        label=_("Users of the space"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who uses the space and when: residents, commuters, tourists, market visitors, pupils…"),
    )
    peak_times = forms.CharField(
        label=_("Peak times"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    usual_crowd = forms.IntegerField(label=_("Usual crowd (people)"), required=False, min_value=0)
    peak_crowd = forms.IntegerField(
        label=_("Peak crowd (people)"),
        required=False,
        min_value=0,
        help_text=_("The consequence suggestions start from the peak crowd's density on the space's area."),
    )
    obstacles_m2 = forms.FloatField(
        label=_("Area taken by stalls, stages and other obstacles at peak time (m²)"),
        required=False,
        min_value=0,
        help_text=_(
            "Removed from the area with the buildings to give the usable area the crowd stands on; "
            "left empty, none is assumed and the pages say so."
        ),
    )
    mode = forms.ChoiceField(label=_("Scoring mode"), choices=Mode.choices)
    asset_value = _optional_level(
        _("Asset value (FEMA mode, 1–10)"), [("", "—")] + [(i, str(i)) for i in range(1, 11)]
    )

    def __init__(self, *args: Any, space: Space, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.space = space

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == Mode.FEMA and not data.get("asset_value"):
            self.add_error("asset_value", _("The FEMA mode needs the asset value of the space (1 to 10)."))
        add_crowd_order_errors(
            self,
            {**data, "capacity": self.space.capacity},
            {
                "usual_crowd": self.fields["usual_crowd"].label,
                "peak_crowd": self.fields["peak_crowd"].label,
                "capacity": _("the space’s capacity (%(n)s people)") % {"n": self.space.capacity},
            },
        )
        return data

    @classmethod
    def initial_for(cls, assessment: Assessment) -> dict[str, Any]:
        return {f: getattr(assessment, f) for f in cls.base_fields}


class MeasureForm(forms.Form):
    measure_type = forms.ModelChoiceField(label=_("Measure"), queryset=MeasureType.objects.none())
    status = forms.ChoiceField(label=_("Status"), choices=MeasureStatus.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    coverage_pct = forms.IntegerField(
        label=_("Share of the entries or of the space covered (%)"),
        min_value=1,
        max_value=100,
        initial=100,
        help_text=_("Bollards at one of four entries cover 25 %."),
    )
    coverage_note = forms.CharField(label=_("Which entries or parts"), required=False, max_length=300)
    hours = forms.ChoiceField(label=_("When"), choices=CoverageHours.choices, initial=CoverageHours.ALWAYS)
    side_effects = forms.CharField(
        label=_("Side effects"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the measure creates elsewhere: a bag check makes an unscreened queue outside it."),
    )

    def __init__(self, *args: Any, city_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The shared catalogue and the assessment's city's own types: another city's are no choice.
        field = self.fields["measure_type"]
        field.queryset = MeasureType.objects.for_city(city_id).order_by("family", "order", "code")  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: m.display_name  # type: ignore[attr-defined]


class ScenarioForm(forms.Form):
    description = forms.CharField(
        label=_("Scenario"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How this attack could happen here: who, where, when, with what."),
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the ratings rest on: site visits, analyses, incidents, police advice."),
    )
    not_applicable = forms.BooleanField(
        label=_("Not applicable at this space"),
        required=False,
        help_text=_(
            "Its ratings are cleared and it is left out of the risk profile, the ranking and the report."
        ),
    )
    not_applicable_reason = forms.CharField(
        label=_("Why it is not applicable"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the scenario is marked not applicable."),
    )
    threat = _optional_level(_("Threat"), _level_choices(THREAT_GUIDANCE), widget=forms.RadioSelect)
    vulnerability = _optional_level(
        _("Vulnerability"), _level_choices(VULNERABILITY_GUIDANCE), widget=forms.RadioSelect
    )
    consequence = _optional_level(
        _("Consequence"), _level_choices(CONSEQUENCE_GUIDANCE), widget=forms.RadioSelect
    )
    override_reason = forms.CharField(
        label=_("Reason for overruling the suggestion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when a rating differs from the pre-filled suggestion."),
    )

    def __init__(self, *args: Any, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scenario = scenario
        if scenario.assessment.is_fema:
            # FEMA's 1–10 scales; the consequence is the space's asset value (step 1).
            self.fields["threat"] = _optional_level(_("Threat (FEMA, 1–10)"), _fema_choices())
            self.fields["vulnerability"] = _optional_level(_("Vulnerability (FEMA, 1–10)"), _fema_choices())
            del self.fields["consequence"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("not_applicable"):
            if not (data.get("not_applicable_reason") or "").strip():
                self.add_error(
                    "not_applicable_reason", _("Say why this scenario is not applicable at this space.")
                )
            # Its ratings are cleared on saving: there is no suggestion to overrule.
            return data
        s = self.scenario
        differs = not s.assessment.is_fema and any(
            suggested is not None and data.get(name) != suggested
            for name, suggested in (
                ("threat", s.suggested_threat),
                ("vulnerability", s.suggested_vulnerability),
                ("consequence", s.suggested_consequence),
            )
        )
        if differs and not (data.get("override_reason") or "").strip():
            self.add_error(
                "override_reason",
                _("You changed a pre-filled rating: say why."),
            )
        return data

    @classmethod
    def initial_for(cls, scenario: Scenario) -> dict[str, Any]:
        return {f: getattr(scenario, f) for f in cls.base_fields}


class ApproveForm(forms.Form):
    review_due = forms.DateField(
        label=_("Next review"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Leave empty for the default: 12 months, 6 if a risk is high, 3 if one is very high. At most "
            "12 months ahead."
        ),
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FactsForm(forms.Form):
    """The observable questions of one attack type (`facts.questions_for`), each optional: a question
    left blank is unanswered, and the suggestion counts it as the weak answer, marked assumed.

    The vehicle scenario also asks the rating of each existing barrier the analysis met
    (`barrier_<n>` fields for the `barriers` given), read with the engine's rating parser.
    """

    def __init__(
        self,
        *args: Any,
        attack_type: str,
        answers: dict[str, Any] | None,
        barriers: Sequence[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        from pactesur.assessments import facts

        answers = answers or {}
        self.questions = facts.questions_for(attack_type)
        for q in self.questions:
            stored = facts.answer_of(answers, q)
            # The question names its unit ("… (minutes)?").
            label: Any = q.text
            field: forms.Field
            if q.kind == facts.YES_NO:
                field = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[("", _("not answered")), ("yes", _("yes")), ("no", _("no"))],
                    initial="" if stored is None else ("yes" if stored else "no"),
                )
            elif q.kind == facts.NUMBER:
                field = forms.FloatField(
                    label=label, required=False, min_value=0, max_value=q.max_value, initial=stored
                )
            else:
                field = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[("", _("not answered"))] + [(code, _(text)) for code, text in q.choices],
                    initial=stored or "",
                )
            self.fields[f"q_{q.key}"] = field
        self.barrier_keys: list[str] = []
        ratings = answers.get(facts.BARRIER_RATINGS) or {}
        for index, (key, label) in enumerate(barriers):
            self.barrier_keys.append(key)
            self.fields[f"barrier_{index}"] = forms.CharField(
                label=label,
                required=False,
                max_length=facts.MAX_RATING_CHARS,
                initial=ratings.get(key, ""),
                help_text=_(
                    "Its crash rating from the certificate (IWA 14-1, PAS 68, ASTM F2656), or empty."
                ),
            )

    def answers(self) -> dict[str, Any]:
        """The answers as `facts.clean_answers` takes them; blanks stay out (unanswered)."""
        from pactesur.assessments import facts

        data = self.cleaned_data
        out: dict[str, Any] = {}
        for q in self.questions:
            value = data.get(f"q_{q.key}")
            if value not in (None, ""):
                out[q.key] = value
        if self.barrier_keys:
            out[facts.BARRIER_RATINGS] = {
                key: data.get(f"barrier_{index}") or "" for index, key in enumerate(self.barrier_keys)
            }
        return out
