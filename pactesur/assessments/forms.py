"""Forms of the assessment steps; they validate input, the actions in actions.py write it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pactesur.assessments.library import CONSEQUENCE_GUIDANCE, PROBABILITY_GUIDANCE
from pactesur.assessments.models import Assessment, MeasureStatus, Mode, Scenario
from pactesur.measures.models import MeasureType
from pactesur.spaces.forms import add_crowd_order_errors
from pactesur.spaces.models import Space


def _level_choices(guidance: dict[int, Any]) -> list[tuple[Any, Any]]:
    # format_lazy: the label is built in the language of each request, not at import time.
    return [("", _("not rated"))] + [
        (level, format_lazy("{} — {}", level, text)) for level, text in guidance.items()
    ]


def _fema_choices() -> list[tuple[Any, Any]]:
    return [("", _("not rated"))] + [(i, str(i)) for i in range(1, 11)]


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
    probability = _optional_level(
        _("Probability"), _level_choices(PROBABILITY_GUIDANCE), widget=forms.RadioSelect
    )
    consequence = _optional_level(
        _("Consequence"), _level_choices(CONSEQUENCE_GUIDANCE), widget=forms.RadioSelect
    )
    threat = _optional_level(_("Threat (FEMA, 1–10)"), _fema_choices())
    vulnerability = _optional_level(_("Vulnerability (FEMA, 1–10)"), _fema_choices())
    override_reason = forms.CharField(
        label=_("Reason for overruling the suggestion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when a rating differs from the pre-filled suggestion."),
    )

    def __init__(self, *args: Any, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scenario = scenario

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
        differs = (
            s.suggested_probability is not None and data.get("probability") != s.suggested_probability
        ) or (s.suggested_consequence is not None and data.get("consequence") != s.suggested_consequence)
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
        help_text=_("Leave empty for the default: 12 months, 6 if a risk is high, 3 if one is very high."),
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
