"""The words the board and the session view use for timers, the vitals schedule and rate steps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from infusion_monitor.domain.guidance import epinephrine_repeat_left
from infusion_monitor.domain.schedule import VitalsState
from infusion_monitor.domain.session import SessionState
from infusion_monitor.domain.timing import format_duration
from infusion_monitor.services.sessions.records import SessionDetail

STATE_WORDS = {
    SessionState.PLANNED: "PLANNED",
    SessionState.RUNNING: "RUNNING",
    SessionState.PAUSED: "PAUSED",
    SessionState.COMPLETED: "COMPLETED",
    SessionState.DISCONTINUED: "DISCONTINUED",
    SessionState.OBSERVATION: "OBSERVATION",
    SessionState.CLOSED: "CLOSED",
}


def _clock_text(left: timedelta) -> str:
    seconds = int(left.total_seconds())
    return f"{seconds // 60}:{seconds % 60:02d}"


def epinephrine_text(given: Sequence[datetime], now: datetime) -> str:
    """``Epinephrine dose 1 given 10:42 · repeat in 3:12 if no better`` (RCUK 2021: after 5 min);
    empty when none was given."""
    left = epinephrine_repeat_left(given, now)
    if left is None:
        return ""
    last = max(given).astimezone().strftime("%H:%M")
    head = f"Epinephrine dose {len(given)} given {last}"
    if left > timedelta(0):
        return f"{head} · repeat in {_clock_text(left)} if no better"
    return f"{head} · repeat dose DUE NOW if no better"


def treatment_cue(detail: SessionDetail, now: datetime) -> str:
    """The tile's line for the treatment the rules name: the epinephrine repeat timer while the
    guidance lists epinephrine, and the observation owed after anaphylaxis."""
    lines = []
    if detail.epinephrine_indicated and detail.epinephrine_given:
        lines.append(epinephrine_text(detail.epinephrine_given, now))
    hold = detail.observation_hold
    until = None if hold is None else hold.until
    if until is not None and now < until:  # once the reaction has resolved
        left = format_duration(until - now)
        lines.append(f"Anaphylaxis: observe until {until.astimezone():%H:%M} · {left} left")
    return "\n".join(lines)


def vitals_cue(detail: SessionDetail, now: datetime) -> tuple[str, str]:
    """(schedule state, words) for the next-vitals countdown: ``("due", "Vitals DUE")``."""
    status = detail.vitals_status(now)
    if status.check is None:
        if detail.state is SessionState.PAUSED:
            return VitalsState.NOT_YET_DUE.value, "Vitals: clock stopped"
        return VitalsState.NOT_YET_DUE.value, "No vitals scheduled"
    if status.state is VitalsState.NOTHING_RECORDED:
        return status.state.value, "No vitals recorded yet"
    if status.state is VitalsState.OVERDUE:
        late = now - status.check.at
        return status.state.value, f"Vitals OVERDUE {int(late.total_seconds() // 60)} min"
    if status.state is VitalsState.DUE:
        return status.state.value, "Vitals DUE now"
    return status.state.value, f"Vitals in {format_duration(status.due_in or timedelta(0))}"


#: Shown instead of the next step's countdown while the rules ask to hold the escalation.
STEP_ON_HOLD = "❚❚ Step on hold (reaction)"


def step_cue(
    detail: SessionDetail, now: datetime, *, hold: bool = False
) -> tuple[bool, str] | None:
    """(shown as a cue, words) for the protocol's next rate step, or None when there is none.

    No countdown while the infusion is paused (None) or while a reaction is active: ``hold``
    (the latest assessment asks to hold the escalation or stop) or a reaction pathway fired in
    the latest assessment; the step is then on hold, whether it is due or not.
    """
    if detail.state is SessionState.PAUSED:
        return None
    step = detail.next_rate_step(now)
    if step is None:
        return None
    if hold or detail.reaction_active:
        return True, STEP_ON_HOLD
    if step.due:
        return True, f"▲ Step DUE → {detail.rate_text(step.rate)}"
    return False, f"Next step → {detail.rate_text(step.rate)} in {format_duration(step.due_in)}"
