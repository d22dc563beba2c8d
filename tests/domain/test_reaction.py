"""The reaction clock, guidance step meanings and the outcome form's checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.guidance import (
    STANDING_ORDER_STEP,
    StepKind,
    course_action_for,
    step_kind,
)
from infusion_monitor.domain.reaction import (
    Disposition,
    Outcome,
    Step,
    course_for_disposition,
    format_elapsed,
    outcome_problems,
    reaction_clock,
)

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _m(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_no_symptom_no_clock() -> None:
    assert reaction_clock([], [Step("pause_infusion", T0)]) is None


def test_clock_times_from_first_onset() -> None:
    clock = reaction_clock(
        [_m(12), _m(10)],
        [
            Step("antihistamine_h1", _m(-30)),  # premedication: not treatment
            Step("pause_infusion", _m(11)),
            Step("notify_provider_now", _m(12.5)),
            Step("call_emergency_team", _m(12)),
            Step("oxygen", _m(13)),
            Step("epinephrine_im", _m(14)),
        ],
    )
    assert clock is not None
    assert clock.onset_at == _m(10)
    assert clock.to_stopped == timedelta(minutes=1)
    assert clock.to_notified == timedelta(minutes=2)
    assert clock.to_first_drug == timedelta(minutes=4)
    assert clock.elapsed(_m(9)) == timedelta(0)
    assert clock.elapsed(_m(20)) == timedelta(minutes=10)
    empty = reaction_clock([_m(1)], [])
    assert empty is not None and empty.to_stopped is None and empty.to_first_drug is None


def test_format_elapsed() -> None:
    assert format_elapsed(None) == "—"
    assert format_elapsed(timedelta(seconds=42)) == "42 s"
    assert format_elapsed(timedelta(minutes=3, seconds=5)) == "3 min 05 s"


def test_step_kinds_and_course_actions() -> None:
    assert step_kind("stop_infusion") is StepKind.COURSE
    assert step_kind(STANDING_ORDER_STEP) is StepKind.COURSE
    assert step_kind("notify_provider_now") is StepKind.NOTIFICATION
    assert step_kind("position_patient") is StepKind.CARE
    assert course_action_for("stop_infusion") is CourseAction.PAUSE_INFUSION
    assert course_action_for("epinephrine_im") is CourseAction.EPINEPHRINE_IM
    assert course_action_for("position_patient") is None
    chosen = course_action_for(STANDING_ORDER_STEP, CourseAction.ANTIHISTAMINE_H1)
    assert chosen is CourseAction.ANTIHISTAMINE_H1
    with pytest.raises(ValueError, match="which standing-order"):
        course_action_for(STANDING_ORDER_STEP, CourseAction.CPR)


def _outcome(**changes: object) -> Outcome:
    fields: dict[str, object] = {
        "disposition": Disposition.RESTARTED_REDUCED,
        "resolved_at": _m(30),
        "restarted_at": _m(45),
        "restart_rate": 50.0,
        "ctcae_term": "infusion_related_reaction",
        "ctcae_grade": 2,
        "suggested_term": "infusion_related_reaction",
        "suggested_grade": 2,
        "flag_next_session": True,
    }
    fields.update(changes)
    return Outcome(**fields)  # type: ignore[arg-type]


def test_a_complete_outcome_has_no_problems() -> None:
    assert outcome_problems(_outcome(), _m(10), _m(60)) == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"resolved_at": _m(5)}, "Resolved time is before"),
        ({"restarted_at": _m(90)}, "Restarted time is in the future"),
        ({"restarted_at": None}, "time the infusion was restarted"),
        ({"restart_rate": None}, "reduced rate"),
        ({"restart_rate": 0.0}, "reduced rate"),
        ({"disposition": Disposition.CONTINUED, "resolved_at": None}, "time the reaction"),
        ({"ctcae_term": "sunburn"}, "CTCAE term"),
        ({"ctcae_grade": 0}, "grade from 1 to 5"),
        ({"ctcae_grade": 1}, "lower than the suggested grade 2"),
    ],
)
def test_outcome_problems(changes: dict[str, object], problem: str) -> None:
    problems = outcome_problems(_outcome(**changes), _m(10), _m(60))
    assert any(problem in text for text in problems), problems


def test_grade_3_or_4_continued_at_the_same_rate_needs_a_reason() -> None:
    same_rate = {"disposition": Disposition.CONTINUED, "restarted_at": None, "restart_rate": None}
    for grades in ({"ctcae_grade": 3, "suggested_grade": 3}, {"suggested_grade": 4}):
        problems = outcome_problems(_outcome(**same_rate, **grades), _m(10), _m(60))
        assert any("not usually continued at the same rate" in p for p in problems), problems
    why = _outcome(**same_rate, ctcae_grade=3, suggested_grade=3, note="prescriber at the chair")
    assert outcome_problems(why, _m(10), _m(60)) == []
    assert outcome_problems(_outcome(**same_rate), _m(10), _m(60)) == []  # grade 2


def test_lower_grade_with_a_reason_and_other_dispositions() -> None:
    assert outcome_problems(_outcome(ctcae_grade=1, note="settled at once"), _m(10), _m(60)) == []
    admitted = _outcome(disposition=Disposition.ADMITTED, resolved_at=None, restarted_at=None)
    assert outcome_problems(admitted, _m(10), _m(60)) == []
    assert Disposition.ADMITTED.label.startswith("Admitted")
    assert course_for_disposition(Disposition.ADMITTED) is CourseAction.ADMIT
    assert course_for_disposition(Disposition.DISCONTINUED) is CourseAction.DISCONTINUE_INFUSION
    assert course_for_disposition(Disposition.RESTARTED_REDUCED) is CourseAction.RESTART_INFUSION
    assert course_for_disposition(Disposition.CONTINUED) is None
