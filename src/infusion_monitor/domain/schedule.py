"""When vital signs are due: the drug protocol's schedule, tightened during a reaction.

Protocol checks (``VitalsPlan``; defaults are the reference's proposed schedule, §6.1 [D]):
early checks and the regular interval count *running* minutes from the start (a pause moves them
later); a check follows every rate change by ``after_rate_change_min`` running minutes; one is due
when the infusion ends, and every ``observation.check_every_min`` minutes of observation.

During a reaction the rules engine's ``vitals_interval_min`` (5 or 15) puts the next check that
many minutes after the latest set, whichever comes first; when it returns to None the protocol
schedule alone applies again.

A check counts as done by a set taken up to ``EARLY_WINDOW_MIN`` before its time [D], is due from
its time and overdue ``OVERDUE_GRACE_MIN`` after it [brief; D]. A set recorded late, or a check
skipped or refused, needs a reason from ``MissedCheckReason``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from infusion_monitor.domain.protocol import DrugProtocol
from infusion_monitor.domain.session import Session, SessionState
from infusion_monitor.errors import UserError

#: A check is overdue this many minutes after its due time [brief; D].
OVERDUE_GRACE_MIN = 5
#: A set taken up to this many minutes before a check's time counts for that check [D].
EARLY_WINDOW_MIN = 5
MAX_REASON_TEXT = 500


class CheckKind(enum.StrEnum):
    """Why a vitals check is due."""

    BASELINE = "baseline"
    EARLY = "early"
    REGULAR = "regular"
    RATE_CHANGE = "rate_change"
    END_OF_INFUSION = "end_of_infusion"
    OBSERVATION = "observation"
    REACTION = "reaction"


@dataclass(frozen=True)
class DueCheck:
    """One vitals check: why, and when (aware UTC)."""

    kind: CheckKind
    at: datetime


class VitalsState(enum.StrEnum):
    """The schedule state the board shows (grey, amber, red, purple in ui.md)."""

    NOT_YET_DUE = "not_yet_due"
    DUE = "due"
    OVERDUE = "overdue"
    NOTHING_RECORDED = "nothing_recorded"


@dataclass(frozen=True)
class VitalsStatus:
    """The board's vitals cell: the state, the check that drives it, and time until it is due."""

    state: VitalsState
    check: DueCheck | None
    due_in: timedelta | None
    """Time left until ``check`` is due, never negative; None when nothing is scheduled."""

    @property
    def reason_needed(self) -> bool:
        """Whether a set recorded now (or a skipped check) needs a ``MissedCheckReason``."""
        return self.state is VitalsState.OVERDUE


def baseline_is_current(protocol: DrugProtocol, baseline_at: datetime, start_at: datetime) -> bool:
    """Whether a set taken at ``baseline_at`` is a valid baseline for a start at ``start_at``."""
    return baseline_at >= start_at - timedelta(minutes=protocol.vitals.baseline_within_min)


def protocol_checks(session: Session, now: datetime) -> list[DueCheck]:
    """Every protocol check whose time is known as of ``now``, in time order.

    A running-time check whose time has not come while the infusion is paused or ended has no
    time yet (or never will) and is left out.
    """
    plan = session.protocol.vitals
    line = session.timeline(now)
    checks: list[DueCheck] = []

    def at_running(kind: CheckKind, minute: timedelta) -> None:
        when = line.when_total_reaches(minute)
        if when is not None:
            checks.append(DueCheck(kind, when))

    if session.started_at(now) is not None:
        for minute in plan.early_checks_min:
            at_running(CheckKind.EARLY, timedelta(minutes=minute))
        interval = timedelta(minutes=session.protocol.regular_interval_min(session.cycle))
        regular = timedelta(minutes=plan.early_checks_min[-1] if plan.early_checks_min else 0)
        # Up to the first regular check beyond the running time, so that a set taken early for
        # the last known check still leaves the next one on the schedule.
        while True:
            regular += interval
            at_running(CheckKind.REGULAR, regular)
            if regular > line.total():
                break
        after = timedelta(minutes=plan.after_rate_change_min)
        for changed in session.rate_changed_at(now):
            at_running(CheckKind.RATE_CHANGE, line.total() - line.running_since(changed) + after)
    ended = session.ended_at(now)
    if ended is not None and plan.end_of_infusion:
        checks.append(DueCheck(CheckKind.END_OF_INFUSION, ended))
    observed = session.observation_started_at(now)
    every = session.protocol.observation.check_every_min
    if observed is not None and every is not None:
        for minute in range(every, session.protocol.observation.minutes + 1, every):
            checks.append(DueCheck(CheckKind.OBSERVATION, observed + timedelta(minutes=minute)))
    return sorted(checks, key=lambda check: check.at)


def next_check(
    session: Session,
    last_vitals_at: datetime | None,
    now: datetime,
    reaction_interval_min: int | None = None,
) -> DueCheck | None:
    """The next check not yet covered by the latest set; None when nothing more is scheduled.

    ``last_vitals_at``: when the latest set of this session (baseline included) was taken.
    ``reaction_interval_min``: the rules engine's ``vitals_interval_min`` (5, 15 or None).
    """
    if session.state is SessionState.CLOSED:
        return None
    if last_vitals_at is None:
        return DueCheck(CheckKind.BASELINE, now)
    last = min(last_vitals_at, now)
    if session.state is SessionState.PLANNED:
        window = timedelta(minutes=session.protocol.vitals.baseline_within_min)
        return DueCheck(CheckKind.BASELINE, last + window)
    covered = last + timedelta(minutes=EARLY_WINDOW_MIN)
    pending = [check for check in protocol_checks(session, now) if check.at > covered]
    upcoming = pending[0] if pending else None
    if reaction_interval_min is None:
        return upcoming
    reaction = DueCheck(CheckKind.REACTION, last + timedelta(minutes=reaction_interval_min))
    return reaction if upcoming is None or reaction.at <= upcoming.at else upcoming


def vitals_status(
    session: Session,
    last_vitals_at: datetime | None,
    now: datetime,
    reaction_interval_min: int | None = None,
    grace_min: int = OVERDUE_GRACE_MIN,
) -> VitalsStatus:
    """The board's vitals state as of ``now`` (see ``next_check`` for the inputs)."""
    check = next_check(session, last_vitals_at, now, reaction_interval_min)
    if check is None:
        return VitalsStatus(VitalsState.NOT_YET_DUE, None, None)
    due_in = max(check.at - now, timedelta(0))
    if last_vitals_at is None:
        return VitalsStatus(VitalsState.NOTHING_RECORDED, check, due_in)
    if now < check.at:
        state = VitalsState.NOT_YET_DUE
    elif now < check.at + timedelta(minutes=grace_min):
        state = VitalsState.DUE
    else:
        state = VitalsState.OVERDUE
    return VitalsStatus(state, check, due_in)


class MissedCheckReason(enum.StrEnum):
    """Why a check was late, skipped or refused."""

    PATIENT_REFUSED = "patient_refused"
    PATIENT_OFF_UNIT = "patient_off_unit"
    CLINICAL_EMERGENCY = "clinical_emergency"
    EQUIPMENT_UNAVAILABLE = "equipment_unavailable"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The words shown in the pick list."""
        return _LABELS[self]


_LABELS = {
    MissedCheckReason.PATIENT_REFUSED: "Patient refused",
    MissedCheckReason.PATIENT_OFF_UNIT: "Patient off the unit / bathroom",
    MissedCheckReason.CLINICAL_EMERGENCY: "Clinical emergency elsewhere",
    MissedCheckReason.EQUIPMENT_UNAVAILABLE: "Equipment unavailable",
    MissedCheckReason.OTHER: "Other (describe)",
}


@dataclass(frozen=True)
class MissedCheckNote:
    """A validated reason for a late, skipped or refused check."""

    reason: MissedCheckReason
    text: str | None


def missed_check_note(code: str, text: str | None = None) -> MissedCheckNote:
    """Validate a reason code (and its text); a UserError says what is missing."""
    try:
        reason = MissedCheckReason(code)
    except ValueError:
        choices = ", ".join(member.value for member in MissedCheckReason)
        message = f"Unknown reason {code!r} for a missed check. Choose one of: {choices}."
        raise UserError(message) from None
    cleaned = text.strip() if text is not None else ""
    if reason is MissedCheckReason.OTHER and not cleaned:
        raise UserError('A missed check with reason "other" needs a description. Describe why.')
    if len(cleaned) > MAX_REASON_TEXT:
        raise UserError(f"The description is longer than {MAX_REASON_TEXT} characters. Shorten it.")
    return MissedCheckNote(reason, cleaned or None)
