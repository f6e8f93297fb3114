"""Facts before judgements: the observable questions of each attack type and the rule they feed.

Each attack type has 5–10 questions an assessor answers on a site visit (a width, a count, whether
something is there), not judgements ("is the space safe?"). The answers are stored in
`Scenario.facts` as {question key: value} — yes/no as a boolean, numbers as a float in the
question's unit, choices as the choice's code — and shown as evidence on the pages and in the PDF.
Every type also asks the same threat question: the symbolic value of the space.

Each question feeds one rating: vulnerability, consequence or threat, and says which answers are
weak (a yes, a no, a figure at or above or below a threshold, some choices).

The vulnerability suggestion from the facts (`vulnerability_from_facts`):

    level = 1 + round_half_up(4 × weak weight / total weight)

over the questions feeding vulnerability, each with its weight (1, or 2 for the facts that alone
open the space to the attack). An unanswered question counts as weak and its step says "assumed:
not answered": uncertainty never hides exposure. So no answer at all gives 5, every answer strong
gives 1, half the weight weak gives 3. The thresholds are the platform's defaults (assumption),
named beside each question.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from pactesur.assessments.library import AttackType
from pactesur.cities.errors import InvalidRequestError
from pactesur.cities.stored_text import StoredText

YES_NO, NUMBER, CHOICE = "yes_no", "number", "choice"
VULNERABILITY, CONSEQUENCE, THREAT = "vulnerability", "consequence", "threat"

# Where the vehicle scenario keeps the ratings the assessor entered for the barriers the approach
# analysis met: {barrier key: rating text} (`pactesur.assessments.vehicle.barrier_key`).
BARRIER_RATINGS = "barrier_ratings"
# Longest rating text accepted (ratings are like "V/7200[N3C]/64/90:1.5").
MAX_RATING_CHARS = 60

# Thresholds of the weak answers (assumption unless a source is named).
# Widest clear gap between barrier elements that stops a car (hostile-vehicles.md §5: an opening
# under 1.50 m passes no car; 1.2 m keeps a margin, as the barrier-plan check does).
VEHICLE_GAP_M = 1.2
# Fewer exits than this and a crowd running from an attacker is funnelled (assumption).
FEW_EXITS = 3
# Minutes to an armed response that let a marauding attack go on (assumption).
SLOW_ARMED_RESPONSE_MIN = 10.0
# Minutes for police to reach the space in a bladed attack (assumption).
SLOW_POLICE_MIN = 5.0
# An unscreened queue closer than this to the crowd puts both within the reach of one device
# (assumption: the 20 m reach the consequence rule counts for a person-borne device).
QUEUE_STANDOFF_M = 20.0
# A vehicle that can park closer than this to the crowd has it within the reach of a vehicle bomb
# (assumption: the 100 m reach the consequence rule counts).
VEHICLE_STANDOFF_M = 100.0
# Weight of the facts that alone open the space to the attack (assumption: twice an ordinary one).
KEY_FACT = 2


@dataclass(frozen=True)
class Question:
    """One observable question: what to check, how it is answered, which rating it feeds, which
    answers are weak.

    `msgid` is the English text (marked for translation); `text` is it in the active language.
    """

    key: str
    msgid: str
    kind: str
    feeds: str
    weight: int = 1
    # yes/no: the weak answer
    weak_answer: bool | None = None
    # number: weak at or above `weak_from`, or below `weak_below`
    unit: str = ""
    weak_from: float | None = None
    weak_below: float | None = None
    max_value: float = 100_000.0
    integer: bool = False
    # choice: (code, English label) and the weak codes
    choices: tuple[tuple[str, str], ...] = ()
    weak_choices: frozenset[str] = frozenset()

    @property
    def text(self) -> Promise:
        return gettext_lazy(self.msgid)

    def is_weak(self, answer: Any) -> bool:
        """Whether an answer (already cleaned) is weak; False for None (see `vulnerability_from_facts`)."""
        if answer is None:
            return False
        if self.kind == YES_NO:
            return self.weak_answer is not None and bool(answer) == self.weak_answer
        if self.kind == NUMBER:
            value = float(answer)
            return (self.weak_from is not None and value >= self.weak_from) or (
                self.weak_below is not None and value < self.weak_below
            )
        return str(answer) in self.weak_choices

    def answer_stored(self, answer: Any) -> Any:
        """The answer as a step parameter: a word to translate (StoredText) or a figure with its unit."""
        if self.kind == YES_NO:
            return StoredText(gettext_noop("yes") if answer else gettext_noop("no"))
        if self.kind == NUMBER:
            return f"{float(answer):g} {self.unit}".strip()
        labels = dict(self.choices)
        return StoredText(labels.get(str(answer), str(answer)))

    def shown(self, answer: Any) -> str:
        """The answer in the active language, "not answered" for None."""
        if answer is None:
            return gettext("not answered")
        stored = self.answer_stored(answer)
        return stored.translated() if isinstance(stored, StoredText) else str(stored)


def _yes_weak(key: str, msgid: str, *, weight: int = 1, feeds: str = VULNERABILITY) -> Question:
    return Question(key, msgid, YES_NO, feeds, weight=weight, weak_answer=True)


def _no_weak(key: str, msgid: str, *, weight: int = 1, feeds: str = VULNERABILITY) -> Question:
    return Question(key, msgid, YES_NO, feeds, weight=weight, weak_answer=False)


# Units as shown after a figure (symbols, the same in every language).
METRES, MINUTES = "m", "min"

COVERAGE_CHOICES: tuple[tuple[str, str], ...] = (
    ("all", gettext_noop("the whole space, watched live")),
    ("most", gettext_noop("most of the space")),
    ("part", gettext_noop("part of the space")),
    ("none", gettext_noop("none")),
)
CCTV = Question(
    "cctv_coverage",
    gettext_noop("How much of the space do CCTV cameras cover at crowded times?"),
    CHOICE,
    VULNERABILITY,
    choices=COVERAGE_CHOICES,
    weak_choices=frozenset({"part", "none"}),
)
ENCLOSED = _yes_weak(
    "enclosed_parts",
    gettext_noop(
        "Are there enclosed or covered parts (tents, halls, arcades, underpasses) where people gather?"
    ),
    weight=KEY_FACT,
)
STAFF_SUSPICIOUS = _no_weak(
    "staff_trained_suspicious",
    gettext_noop("Are staff and stewards trained to spot and report suspicious behaviour?"),
)

# The threat question every type asks: the space's symbolic value (threat guidance levels 3–4).
SYMBOLIC_CHOICES: tuple[tuple[str, str], ...] = (
    ("national_symbol", gettext_noop("a national symbol")),
    ("religious_site", gettext_noop("a religious site")),
    ("landmark", gettext_noop("a local landmark")),
    ("none", gettext_noop("no particular symbolic value")),
)
HIGH_SYMBOLIC = frozenset({"national_symbol", "religious_site"})
SYMBOLIC_VALUE = Question(
    "symbolic_value",
    gettext_noop("What symbolic value does the space have?"),
    CHOICE,
    THREAT,
    choices=SYMBOLIC_CHOICES,
    weak_choices=HIGH_SYMBOLIC,
)

QUESTIONS: dict[str, tuple[Question, ...]] = {
    AttackType.VEHICLE: (
        Question(
            "entry_opening_m",
            gettext_noop(
                "At the entries, the clear opening a vehicle must pass between obstacles (bollards, "
                "planters, posts) at its narrowest: the widest of these openings (m)"
            ),
            NUMBER,
            VULNERABILITY,
            weight=KEY_FACT,
            unit=METRES,
            weak_from=VEHICLE_GAP_M,
            max_value=1000.0,
        ),
        _yes_weak(
            "side_access",
            gettext_noop("Can a vehicle get round the barriers or obstacles over kerbs, verges or footways?"),
            weight=KEY_FACT,
        ),
        _yes_weak(
            "active_barriers_open",
            gettext_noop(
                "Are retractable bollards, gates or other active barriers left open during crowded hours?"
            ),
            weight=KEY_FACT,
        ),
        _yes_weak(
            "service_vehicles_inside",
            gettext_noop("Do deliveries or service vehicles drive inside the space during crowded hours?"),
        ),
        _yes_weak(
            "parked_vehicles_near_crowd",
            gettext_noop("Are vehicles parked inside the space or right next to where the crowd gathers?"),
        ),
        _yes_weak(
            "turn_inside",
            gettext_noop("Is there room for a vehicle to turn round inside the space?"),
            feeds=CONSEQUENCE,
        ),
    ),
    AttackType.FIREARMS: (
        Question(
            "exit_count",
            gettext_noop("How many exits can the crowd use to get away?"),
            NUMBER,
            VULNERABILITY,
            weight=KEY_FACT,
            weak_below=FEW_EXITS,
            max_value=1000.0,
            integer=True,
        ),
        _no_weak(
            "places_to_hide",
            gettext_noop(
                "Are there places to hide or shelter within reach (buildings or shops that can lock "
                "their doors)?"
            ),
        ),
        Question(
            "armed_response_min",
            gettext_noop("How long does an armed police response take to arrive (minutes)?"),
            NUMBER,
            VULNERABILITY,
            weight=KEY_FACT,
            unit=MINUTES,
            weak_from=SLOW_ARMED_RESPONSE_MIN,
            max_value=1440.0,
        ),
        CCTV,
        _no_weak(
            "staff_run_hide_tell",
            gettext_noop("Are staff and stewards trained in “run, hide, tell” (or the national equivalent)?"),
        ),
        _no_weak(
            "lockdown_plan",
            gettext_noop("Is there a practised plan to lock down or shelter people in nearby buildings?"),
        ),
    ),
    AttackType.BLADE: (
        _yes_weak(
            "entrance_queues",
            gettext_noop("Do people queue or bunch at entrances or checks during crowded hours?"),
        ),
        _no_weak(
            "stewards_present",
            gettext_noop("Are stewards or security staff present throughout the crowded hours?"),
            weight=KEY_FACT,
        ),
        _no_weak("police_on_site", gettext_noop("Are police on site during crowded hours?")),
        Question(
            "police_response_min",
            gettext_noop("How long do police take to reach the space when called (minutes)?"),
            NUMBER,
            VULNERABILITY,
            unit=MINUTES,
            weak_from=SLOW_POLICE_MIN,
            max_value=1440.0,
        ),
        _yes_weak(
            "narrow_passages",
            gettext_noop("Are there narrow passages where people cannot move away from an attacker?"),
        ),
        CCTV,
    ),
    AttackType.PLACED_IED: (
        _yes_weak(
            "places_to_leave_bag",
            gettext_noop("Are there bins, planters or street furniture where a bag could be left unnoticed?"),
            weight=KEY_FACT,
        ),
        _no_weak(
            "search_before", gettext_noop("Is the space searched before the crowded times?"), weight=KEY_FACT
        ),
        CCTV,
        _no_weak(
            "unattended_item_procedure",
            gettext_noop("Do staff know what to do with an unattended item (assess, cordon, report)?"),
        ),
        Question(
            "lighting",
            gettext_noop("How well lit is the space after dark?"),
            CHOICE,
            VULNERABILITY,
            choices=(
                ("good", gettext_noop("well lit everywhere")),
                ("patchy", gettext_noop("dark corners")),
                ("poor", gettext_noop("poorly lit")),
            ),
            weak_choices=frozenset({"patchy", "poor"}),
        ),
    ),
    AttackType.PBIED: (
        _yes_weak(
            "unscreened_queues",
            gettext_noop("Do people wait in queues or dense groups before any screening?"),
            weight=KEY_FACT,
        ),
        Question(
            "queue_standoff_m",
            gettext_noop("Distance between the screening queue and the main crowd (m)"),
            NUMBER,
            VULNERABILITY,
            unit=METRES,
            weak_below=QUEUE_STANDOFF_M,
            max_value=10_000.0,
        ),
        _no_weak("bag_checks", gettext_noop("Are bags checked at the entrances during crowded hours?")),
        _yes_weak(
            "dense_exits",
            gettext_noop("Do people leave in dense flows through a few exits (after an event, a show)?"),
        ),
        STAFF_SUSPICIOUS,
        CCTV,
    ),
    AttackType.VBIED: (
        Question(
            "nearest_parking_m",
            gettext_noop("How close to the crowd can a vehicle park or stop (m)?"),
            NUMBER,
            VULNERABILITY,
            weight=KEY_FACT,
            unit=METRES,
            weak_below=VEHICLE_STANDOFF_M,
            max_value=100_000.0,
        ),
        _no_weak(
            "standoff_barriers",
            gettext_noop(
                "Do barriers keep vehicles at a stand-off distance from the crowd during crowded hours?"
            ),
            weight=KEY_FACT,
        ),
        _no_weak(
            "parking_controlled",
            gettext_noop("Is parking near the space restricted and watched (no unattended vehicles)?"),
        ),
        _no_weak(
            "deliveries_checked",
            gettext_noop("Are delivery and service vehicles checked before they come near the crowd?"),
        ),
        CCTV,
    ),
    AttackType.ARSON: (
        _yes_weak(
            "flammable_stalls",
            gettext_noop("Are there stalls, decorations or stored goods that burn easily?"),
            weight=KEY_FACT,
        ),
        ENCLOSED,
        Question(
            "people_enclosed",
            gettext_noop("How many people are in the enclosed parts or among the stalls at peak time?"),
            NUMBER,
            CONSEQUENCE,
            max_value=10_000_000.0,
            integer=True,
        ),
        _no_weak(
            "extinguishers",
            gettext_noop("Are fire extinguishers at hand and staff trained to use them?"),
        ),
        _no_weak(
            "escape_routes_clear",
            gettext_noop("Are escape routes kept clear and signposted during crowded hours?"),
            weight=KEY_FACT,
        ),
        _no_weak(
            "waste_removed",
            gettext_noop("Are waste and flammable material removed regularly during crowded hours?"),
        ),
    ),
    AttackType.CBRN: (
        ENCLOSED,
        _no_weak(
            "ventilation_control",
            gettext_noop("Can the ventilation of the enclosed parts be switched off or controlled quickly?"),
        ),
        _yes_weak(
            "open_food_water",
            gettext_noop("Are food, drink or water points open to tampering?"),
        ),
        _no_weak(
            "symptom_procedure",
            gettext_noop(
                "Do staff and first responders know how to recognise and report symptoms of exposure?"
            ),
        ),
        _no_weak(
            "decontamination_plan",
            gettext_noop("Is there a plan with the fire service for evacuation and decontamination?"),
        ),
    ),
    AttackType.DRONE: (
        _yes_weak(
            "launch_places",
            gettext_noop(
                "Are there places nearby from which a drone could be launched unseen (roofs, parks, car "
                "parks)?"
            ),
        ),
        _yes_weak("open_sky", gettext_noop("Does the crowd stand under open sky?"), weight=KEY_FACT),
        _no_weak("drone_detection", gettext_noop("Is drone detection in use during crowded hours?")),
        _no_weak(
            "flight_restriction",
            gettext_noop("Is a flight restriction in force over the space and known to the police?"),
        ),
        _no_weak(
            "drone_procedure",
            gettext_noop("Do staff have a procedure for a drone seen over the crowd?"),
        ),
    ),
    AttackType.BOMB_THREAT: (
        _no_weak(
            "threat_procedure",
            gettext_noop("Is there a procedure to take and assess a threat (call, message, letter)?"),
            weight=KEY_FACT,
        ),
        _no_weak(
            "threat_checklist",
            gettext_noop("Do the people who take calls and messages have a bomb-threat checklist?"),
        ),
        _no_weak("search_plan", gettext_noop("Is there a search plan for the space, with people assigned?")),
        _no_weak(
            "evacuation_plan",
            gettext_noop(
                "Is there an evacuation and invacuation plan that keeps the crowd away from danger and from "
                "a crush?"
            ),
            weight=KEY_FACT,
        ),
        _no_weak(
            "public_address",
            gettext_noop("Can staff give instructions to the whole crowd (public address, screens)?"),
        ),
    ),
    AttackType.CYBER: (
        _yes_weak(
            "connected_systems",
            gettext_noop(
                "Are systems of the space connected to a network (CCTV, public address, bollards, lighting)?"
            ),
            weight=KEY_FACT,
        ),
        _no_weak(
            "administrator_known",
            gettext_noop("Is it known who administers each system, and is their access reviewed?"),
        ),
        _no_weak(
            "manual_fallback",
            gettext_noop("Can bollards, gates and public address be worked by hand if the systems fail?"),
            weight=KEY_FACT,
        ),
        _no_weak(
            "default_passwords_changed",
            gettext_noop("Have the default passwords of every device been changed?"),
        ),
        _no_weak(
            "systems_updated",
            gettext_noop("Are the systems kept up to date and watched for intrusion?"),
        ),
    ),
    AttackType.RECON: (
        STAFF_SUSPICIOUS,
        _no_weak(
            "reporting_channel",
            gettext_noop("Is there a clear channel for staff and the public to report suspicious behaviour?"),
            weight=KEY_FACT,
        ),
        CCTV,
        _no_weak(
            "visible_patrols",
            gettext_noop("Are there visible patrols at unpredictable times?"),
        ),
        _yes_weak(
            "security_details_public",
            gettext_noop(
                "Are security details (barrier positions, staff routines, plans) published or easy to learn?"
            ),
        ),
    ),
    AttackType.INSIDER: (
        _no_weak(
            "vetting",
            gettext_noop("Are staff and contractors with access to security systems vetted?"),
            weight=KEY_FACT,
        ),
        _no_weak(
            "access_review",
            gettext_noop(
                "Are keys, badges and accounts withdrawn when people leave, and access reviewed regularly?"
            ),
            weight=KEY_FACT,
        ),
        _no_weak(
            "control_room_restricted",
            gettext_noop("Is access to control rooms and barrier controls restricted to named people?"),
        ),
        _no_weak(
            "plans_need_to_know",
            gettext_noop("Are security plans shared only with those who need them?"),
        ),
        _no_weak(
            "contractors_supervised",
            gettext_noop("Are contractors supervised while they work on the space’s systems?"),
        ),
    ),
}


def questions_for(attack_type: str) -> tuple[Question, ...]:
    """The questions of an attack type: its own, then the threat question every type asks."""
    try:
        own = QUESTIONS[attack_type]
    except KeyError:
        raise InvalidRequestError(gettext("Unknown attack type: %(type)s.") % {"type": attack_type}) from None
    return (*own, SYMBOLIC_VALUE)


def question(attack_type: str, key: str) -> Question | None:
    return next((q for q in questions_for(attack_type) if q.key == key), None)


# --- cleaning answers -----------------------------------------------------------------------------

_YES_WORDS = frozenset({"yes", "true", "1", "on", "y"})
_NO_WORDS = frozenset({"no", "false", "0", "off", "n"})


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_yes_no(q: Question, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _YES_WORDS | _NO_WORDS:
        return value.strip().lower() in _YES_WORDS
    raise InvalidRequestError(
        gettext("“%(question)s”: answer yes or no, not %(value)r.") % {"question": q.text, "value": value}
    )


def _clean_number(q: Question, value: Any) -> float:
    try:
        number = float(value.replace(",", ".").strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number) or not 0 <= number <= q.max_value:
        raise InvalidRequestError(
            gettext("“%(question)s”: give a number between 0 and %(max)s, not %(value)r.")
            % {"question": q.text, "max": f"{q.max_value:g}", "value": value}
        )
    if q.integer and number != int(number):
        raise InvalidRequestError(
            gettext("“%(question)s”: give a whole number, not %(value)r.")
            % {"question": q.text, "value": value}
        )
    return float(number)


def _clean_choice(q: Question, value: Any) -> str:
    codes = [code for code, _label in q.choices]
    if isinstance(value, str) and value.strip() in codes:
        return value.strip()
    raise InvalidRequestError(
        gettext("“%(question)s”: choose one of %(choices)s, not %(value)r.")
        % {"question": q.text, "choices": ", ".join(codes), "value": value}
    )


def _clean_barrier_ratings(value: Any) -> dict[str, str]:
    from pactesur.engine.ratings import RatingError, parse_rating

    if not isinstance(value, Mapping):
        raise InvalidRequestError(gettext("Barrier ratings must be given as {barrier: rating}."))
    cleaned: dict[str, str] = {}
    for key, text in value.items():
        if not isinstance(key, str) or not key.strip() or len(key) > MAX_RATING_CHARS:
            raise InvalidRequestError(gettext("A barrier rating names no barrier: %(key)r.") % {"key": key})
        if _is_blank(text):
            continue
        if not isinstance(text, str) or len(text) > MAX_RATING_CHARS:
            raise InvalidRequestError(
                gettext("The rating of barrier %(key)s is not a rating: %(value)r.")
                % {"key": key, "value": text}
            )
        try:
            rating = parse_rating(text)
        except RatingError as exc:
            raise InvalidRequestError(
                gettext("The rating of barrier %(key)s: %(error)s") % {"key": key, "error": exc}
            ) from exc
        if rating is not None:
            cleaned[key.strip()] = rating.text
    return cleaned


def clean_answers(attack_type: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The answers of `raw` checked and typed for storage in `Scenario.facts`.

    Blank answers are left out (unanswered). The vehicle scenario also takes `barrier_ratings`
    ({barrier key: rating text}, each read by `pactesur.engine.ratings.parse_rating`; "unrated" or
    blank leaves the barrier unrated).

    Raises
    ------
    InvalidRequestError
        For an unknown question or an answer of the wrong form, naming the question.
    """
    if not isinstance(raw, Mapping):
        raise InvalidRequestError(gettext("The facts must be given as {question: answer}."))
    by_key = {q.key: q for q in questions_for(attack_type)}
    cleaned: dict[str, Any] = {}
    for key, value in raw.items():
        if attack_type == AttackType.VEHICLE and key == BARRIER_RATINGS:
            ratings = _clean_barrier_ratings(value or {})
            if ratings:
                cleaned[BARRIER_RATINGS] = ratings
            continue
        q = by_key.get(key)
        if q is None:
            raise InvalidRequestError(gettext("“%(key)s” is not a question of this scenario.") % {"key": key})
        answer = _clean_one(q, value)
        if answer is not None:
            cleaned[key] = answer
    return cleaned


# --- the rule -------------------------------------------------------------------------------------


def answer_of(answers: Mapping[str, Any] | None, q: Question) -> Any:
    """The stored answer to `q`, or None when it is not answered (or the stored value is unusable)."""
    if not isinstance(answers, Mapping):
        return None
    value = answers.get(q.key)
    if value is None:
        return None
    try:
        return _clean_one(q, value)
    except InvalidRequestError:
        return None


def _clean_one(q: Question, value: Any) -> Any:
    if _is_blank(value):
        return None
    if q.kind == YES_NO:
        return _clean_yes_no(q, value)
    if q.kind == NUMBER:
        return _clean_number(q, value)
    return _clean_choice(q, value)


def _half_up(value: float) -> int:
    return math.floor(value + 0.5)


def weak_steps(
    questions: tuple[Question, ...], answers: Mapping[str, Any] | None
) -> tuple[int, int, list[StoredText]]:
    """(weak weight, total weight, steps) of `questions`: one step per weak or unanswered question."""
    weak = total = 0
    steps: list[StoredText] = []
    for q in questions:
        total += q.weight
        answer = answer_of(answers, q)
        if answer is None:
            weak += q.weight
            steps.append(
                StoredText(
                    gettext_noop("Assumed weak: “%(question)s” is not answered (weight %(weight)s)."),
                    {"question": StoredText(q.msgid), "weight": q.weight},
                )
            )
        elif q.is_weak(answer):
            weak += q.weight
            steps.append(
                StoredText(
                    gettext_noop("Weak: “%(question)s” %(answer)s (weight %(weight)s)."),
                    {"question": StoredText(q.msgid), "answer": q.answer_stored(answer), "weight": q.weight},
                )
            )
    return weak, total, steps


def vulnerability_from_facts(
    attack_type: str, answers: Mapping[str, Any] | None
) -> tuple[int | None, list[StoredText]]:
    """The vulnerability the facts suggest, and the steps (see the module's rule).

    None (with no steps) for a type with no question feeding vulnerability.
    """
    questions = tuple(q for q in questions_for(attack_type) if q.feeds == VULNERABILITY)
    if not questions:
        return None, []
    weak, total, steps = weak_steps(questions, answers)
    level = 1 + _half_up(4 * weak / total)
    steps.append(
        StoredText(
            gettext_noop(
                "Facts: %(weak)s of %(total)s weighted points weak: vulnerability 1 + 4 × %(weak)s / "
                "%(total)s = %(level)s."
            ),
            {"weak": weak, "total": total, "level": level},
        )
    )
    return level, steps


def high_symbolic_value(answers: Mapping[str, Any] | None) -> bool | None:
    """True for a national symbol or a religious site, False for less, None when not answered."""
    answer = answer_of(answers, SYMBOLIC_VALUE)
    if answer is None:
        return None
    return SYMBOLIC_VALUE.is_weak(answer)


class EvidenceRow(NamedTuple):
    """One fact as evidence: the question, the answer as shown, whether it is weak, whether assumed."""

    question: str
    answer: str
    weak: bool
    assumed: bool


def evidence_rows(attack_type: str, answers: Mapping[str, Any] | None) -> list[EvidenceRow]:
    """The facts of a scenario as evidence lines, in the active language: (question, shown answer,
    weak, assumed). An unanswered question feeding vulnerability is weak and assumed, as the rule
    counts it; the vehicle's barrier ratings follow its questions."""
    rows = []
    for q in questions_for(attack_type):
        answer = answer_of(answers, q)
        if answer is None:
            rows.append(EvidenceRow(str(q.text), q.shown(None), q.feeds == VULNERABILITY, True))
        else:
            rows.append(EvidenceRow(str(q.text), q.shown(answer), q.is_weak(answer), False))
    ratings = answers.get(BARRIER_RATINGS) if isinstance(answers, Mapping) else None
    if attack_type == AttackType.VEHICLE and isinstance(ratings, Mapping):
        for key, text in sorted(ratings.items()):
            rows.append(
                EvidenceRow(
                    gettext("Rating of the barrier at %(key)s") % {"key": key}, str(text), False, False
                )
            )
    return rows
