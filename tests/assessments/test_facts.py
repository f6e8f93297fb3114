"""Facts before judgements: the observable questions of each attack type, their answers checked, and
the vulnerability they suggest (unanswered counts as weak, said so)."""

from __future__ import annotations

import pytest

from pactesur.assessments.facts import (
    BARRIER_RATINGS,
    CONSEQUENCE,
    THREAT,
    VULNERABILITY,
    clean_answers,
    evidence_rows,
    high_symbolic_value,
    questions_for,
    vulnerability_from_facts,
)
from pactesur.assessments.library import AttackType
from pactesur.cities.errors import InvalidRequestError

# Firearms: exit_count (weight 2, weak below 3), places_to_hide (1, weak no), armed_response_min
# (2, weak from 10 min), cctv_coverage (1, weak part/none), staff_run_hide_tell (1, weak no),
# lockdown_plan (1, weak no): 8 weighted points.
FIREARMS_STRONG = {
    "exit_count": "4",
    "places_to_hide": "yes",
    "armed_response_min": "8",
    "cctv_coverage": "all",
    "staff_run_hide_tell": True,
    "lockdown_plan": "yes",
}


@pytest.mark.parametrize("attack_type", AttackType.values)
def test_every_attack_type_asks_five_to_ten_observable_questions_and_the_symbolic_value(
    attack_type: str,
) -> None:
    questions = questions_for(attack_type)
    own = questions[:-1]
    assert 5 <= len(own) <= 10
    assert questions[-1].key == "symbolic_value"
    assert questions[-1].feeds == THREAT
    assert len({q.key for q in questions}) == len(questions)
    assert all(q.feeds in (VULNERABILITY, CONSEQUENCE, THREAT) for q in questions)
    assert any(q.feeds == VULNERABILITY for q in own)
    assert all(str(q.text) == q.msgid for q in questions)


def test_unknown_attack_type_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="Unknown attack type"):
        questions_for("earthquake")


def test_answers_are_typed_and_blank_ones_left_out() -> None:
    cleaned = clean_answers(
        "vehicle",
        {
            "entry_opening_m": "1,8",
            "side_access": "no",
            "active_barriers_open": "",
            "service_vehicles_inside": True,
            "symbolic_value": "landmark",
            BARRIER_RATINGS: {"123": "v/7200[n3c]/48/90", "7.1,43.2": "unrated", "9": ""},
        },
    )
    assert cleaned == {
        "entry_opening_m": 1.8,
        "side_access": False,
        "service_vehicles_inside": True,
        "symbolic_value": "landmark",
        BARRIER_RATINGS: {"123": "V/7200[N3C]/48/90"},
    }


@pytest.mark.parametrize(
    ("attack_type", "raw", "message"),
    [
        ("firearms", {"places_to_hide": "perhaps"}, "answer yes or no"),
        ("firearms", {"exit_count": "many"}, "give a number between 0 and"),
        ("firearms", {"exit_count": "-1"}, "give a number between 0 and"),
        ("firearms", {"exit_count": "nan"}, "give a number between 0 and"),
        ("firearms", {"exit_count": "2.5"}, "give a whole number"),
        ("firearms", {"cctv_coverage": "lots"}, "choose one of all, most, part, none"),
        ("firearms", {"opening_width": 3}, "is not a question of this scenario"),
        ("firearms", {BARRIER_RATINGS: {"1": "V/7200[N3C]/48/90"}}, "is not a question of this scenario"),
        ("vehicle", {BARRIER_RATINGS: {"1": "strong"}}, "is not a barrier rating"),
        ("vehicle", {BARRIER_RATINGS: ["V/7200[N3C]/48/90"]}, "Barrier ratings must be given"),
        ("vehicle", "side_access=yes", "must be given as"),
    ],
)
def test_garbage_is_refused_with_a_message_naming_the_question(
    attack_type: str, raw: object, message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        clean_answers(attack_type, raw)  # type: ignore[arg-type]


def test_a_refused_answer_names_the_question() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        clean_answers("firearms", {"places_to_hide": "perhaps"})
    assert "Are there places to hide or shelter" in str(caught.value)


def test_nothing_answered_is_counted_weak_and_said_assumed() -> None:
    level, steps = vulnerability_from_facts("firearms", {})
    assert level == 5  # 8 of 8 weighted points weak: 1 + 4 × 8 / 8
    assumed = [s for s in steps if s.msgid.startswith("Assumed weak")]
    assert len(assumed) == 6
    assert "“How many exits can the crowd use to get away?” is not answered" in steps[0]
    assert steps[-1] == "Facts: 8 of 8 weighted points weak: vulnerability 1 + 4 × 8 / 8 = 5."


def test_every_answer_strong_gives_one() -> None:
    level, steps = vulnerability_from_facts("firearms", clean_answers("firearms", FIREARMS_STRONG))
    assert level == 1
    assert [s.msgid for s in steps][:-1] == []


def test_half_the_weight_weak_gives_three() -> None:
    # weak: 2 exits (2), no run-hide-tell training (1), lockdown plan not answered (1) = 4 of 8.
    answers = {**FIREARMS_STRONG, "exit_count": "2", "staff_run_hide_tell": "no"}
    del answers["lockdown_plan"]
    level, steps = vulnerability_from_facts("firearms", clean_answers("firearms", answers))
    assert level == 3  # 1 + 4 × 4 / 8
    assert "Weak: “How many exits can the crowd use to get away?” 2 (weight 2)." in steps
    assert any(s.msgid.startswith("Assumed weak") and "lock down" in s for s in steps)


def test_the_level_is_rounded_half_up() -> None:
    # Only the CCTV covers part of the space: 1 of 8 weak, 4 × 1 / 8 = 0.5 → rounds up to 1 → level 2.
    level, _ = vulnerability_from_facts(
        "firearms", clean_answers("firearms", {**FIREARMS_STRONG, "cctv_coverage": "part"})
    )
    assert level == 2


def test_thresholds_of_number_questions() -> None:
    # Vehicle: the opening is weak from 1.2 m (a car passes under 1.5 m no more).
    strong = {"side_access": "no", "active_barriers_open": "no", "service_vehicles_inside": "no"}
    strong |= {"parked_vehicles_near_crowd": "no"}
    narrow = vulnerability_from_facts(
        "vehicle", clean_answers("vehicle", {**strong, "entry_opening_m": "1.1"})
    )
    wide = vulnerability_from_facts("vehicle", clean_answers("vehicle", {**strong, "entry_opening_m": "1.2"}))
    assert narrow[0] == 1
    # vehicle vulnerability facts weigh 2 + 2 + 2 + 1 + 1 = 8; a wide opening is 2 of 8 → 1 + 1 = 2.
    assert wide[0] == 2


def test_consequence_and_threat_questions_do_not_count_in_the_vulnerability() -> None:
    strong = {
        "entry_opening_m": 1.0,
        "side_access": False,
        "active_barriers_open": False,
        "service_vehicles_inside": False,
        "parked_vehicles_near_crowd": False,
    }
    # turn_inside (consequence) and symbolic_value (threat) left unanswered change nothing.
    assert vulnerability_from_facts("vehicle", strong)[0] == 1


def test_high_symbolic_value_is_a_national_symbol_or_a_religious_site() -> None:
    assert high_symbolic_value({"symbolic_value": "national_symbol"}) is True
    assert high_symbolic_value({"symbolic_value": "religious_site"}) is True
    assert high_symbolic_value({"symbolic_value": "landmark"}) is False
    assert high_symbolic_value({}) is None
    assert high_symbolic_value({"symbolic_value": "garbage"}) is None


def test_evidence_rows_show_answers_weakness_and_assumptions() -> None:
    answers = clean_answers(
        "vehicle",
        {"side_access": "yes", "entry_opening_m": "0.9", BARRIER_RATINGS: {"42": "V/7200[N3C]/48/90"}},
    )
    rows = evidence_rows("vehicle", answers)
    by_question = {row.question: row for row in rows}
    side = by_question["Can a vehicle get round the barriers or obstacles over kerbs, verges or footways?"]
    assert tuple(side) == (side.question, "yes", True, False)
    opening = next(r for r in rows if r.question.startswith("At the entries"))
    assert (opening.answer, opening.weak, opening.assumed) == ("0.9 m", False, False)
    barriers_open = next(r for r in rows if r.question.startswith("Are retractable bollards"))
    assert (barriers_open.answer, barriers_open.weak, barriers_open.assumed) == ("not answered", True, True)
    turn = next(r for r in rows if r.question.startswith("Is there room for a vehicle to turn"))
    assert (turn.weak, turn.assumed) == (False, True)  # a consequence fact: not counted weak unanswered
    assert rows[-1] == ("Rating of the barrier at 42", "V/7200[N3C]/48/90", False, False)
    assert len(rows) == len(questions_for("vehicle")) + 1
