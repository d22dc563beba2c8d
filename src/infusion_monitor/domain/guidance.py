"""What marking a guidance step done also records: a course action, a notification, or neither.

The step codes are the rule set's action codes (rules-spec §5); their text comes from the rule-set
file. Here only the fixed meaning of each code for the session's record is kept.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, timedelta

from infusion_monitor.domain.course import CourseAction


class StepKind(enum.Enum):
    """How a done step counts in the reaction record."""

    COURSE = "course"
    NOTIFICATION = "notification"
    CARE = "care"


#: Guidance steps that are also course actions: doing them changes the CTCAE suggestion and the
#: timers. ``stop_infusion`` pauses the session (it may restart); the nurse discontinues apart.
COURSE_STEPS: dict[str, CourseAction] = {
    "stop_infusion": CourseAction.PAUSE_INFUSION,
    "hold_escalation": CourseAction.HOLD_ESCALATION,
    "epinephrine_im": CourseAction.EPINEPHRINE_IM,
    "oxygen": CourseAction.OXYGEN,
    "iv_fluid_bolus": CourseAction.IV_FLUID_BOLUS,
    "bronchodilator": CourseAction.BRONCHODILATOR,
}

#: A step that needs the nurse to say which drug was given; each choice is a course action.
STANDING_ORDER_STEP = "standing_order_medication"
STANDING_ORDER_CHOICES: tuple[CourseAction, ...] = (
    CourseAction.ANTIHISTAMINE_H1,
    CourseAction.ANTIHISTAMINE_H2,
    CourseAction.ANTIPYRETIC,
    CourseAction.CORTICOSTEROID,
    CourseAction.OPIOID,
)

#: Steps that tell someone: they stop the reaction clock's "provider notified".
NOTIFICATION_STEPS = frozenset(
    {"notify_provider", "notify_provider_now", "call_emergency_team", "escalate"}
)

#: The step recorded when a nurse presses "Escalate anyway".
ESCALATE = "escalate"

#: Course actions that stop the drug reaching the patient.
STOPPING_ACTIONS = frozenset({CourseAction.PAUSE_INFUSION, CourseAction.DISCONTINUE_INFUSION})

#: Course actions that are a drug given for the reaction (for "time to first drug").
DRUG_ACTIONS = frozenset(
    {
        CourseAction.ANTIHISTAMINE_H1,
        CourseAction.ANTIHISTAMINE_H2,
        CourseAction.ANTIPYRETIC,
        CourseAction.CORTICOSTEROID,
        CourseAction.OPIOID,
        CourseAction.BRONCHODILATOR,
        CourseAction.EPINEPHRINE_IM,
        CourseAction.VASOPRESSOR,
    }
)


#: IM epinephrine is repeated after 5 minutes if there is no improvement (RCUK 2021; EAACI:
#: doses at least 5 minutes apart; reference.md §5.3).
EPINEPHRINE_REPEAT_AFTER = timedelta(minutes=5)


def epinephrine_repeat_left(given: Sequence[datetime], now: datetime) -> timedelta | None:
    """Time left until a repeat IM epinephrine dose is due (zero: due now), counted from the
    latest dose in ``given``; None when none was given."""
    if not given:
        return None
    return max(timedelta(0), max(given) + EPINEPHRINE_REPEAT_AFTER - now)


#: The standing-order medication a premedication class is (a protocol that says "avoid" a class
#: offers no such standing order during a reaction, e.g. H1 antihistamines for IV iron).
PREMEDICATION_ACTIONS: dict[str, CourseAction] = {
    "h1_antihistamine": CourseAction.ANTIHISTAMINE_H1,
    "h2_antagonist": CourseAction.ANTIHISTAMINE_H2,
    "antipyretic": CourseAction.ANTIPYRETIC,
    "corticosteroid": CourseAction.CORTICOSTEROID,
}


def standing_order_choices(avoided: Sequence[str]) -> tuple[CourseAction, ...]:
    """The standing-order medications to offer, without those of the ``avoided``
    premedication classes."""
    left_out = {PREMEDICATION_ACTIONS[code] for code in avoided if code in PREMEDICATION_ACTIONS}
    return tuple(action for action in STANDING_ORDER_CHOICES if action not in left_out)


def step_kind(code: str) -> StepKind:
    """Whether marking ``code`` done records a course action, a notification or care only."""
    if code in COURSE_STEPS or code == STANDING_ORDER_STEP:
        return StepKind.COURSE
    if code in NOTIFICATION_STEPS:
        return StepKind.NOTIFICATION
    return StepKind.CARE


def course_action_for(code: str, choice: CourseAction | None = None) -> CourseAction | None:
    """The course action a done step records (``choice`` for the standing-order step)."""
    if code == STANDING_ORDER_STEP:
        if choice not in STANDING_ORDER_CHOICES:
            raise ValueError("say which standing-order medication was given")
        return choice
    return COURSE_STEPS.get(code)
