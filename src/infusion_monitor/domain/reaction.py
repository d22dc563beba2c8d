"""The reaction record: its clock from the first symptom, and the outcome the nurse closes it with.

Pure arithmetic on stored times (reference.md §5.6 documentation set: onset, interventions with
their times, notifications, outcome, CTCAE term and grade, follow-up flag).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.guidance import DRUG_ACTIONS, NOTIFICATION_STEPS, STOPPING_ACTIONS


@dataclass(frozen=True, slots=True)
class Step:
    """Something done during the reaction: a course action or guidance code, when and by whom."""

    code: str
    at: datetime
    by: str = ""


@dataclass(frozen=True, slots=True)
class ReactionClock:
    """Key times of a reaction, from the first symptom's onset."""

    onset_at: datetime
    stopped_at: datetime | None
    notified_at: datetime | None
    first_drug_at: datetime | None

    @staticmethod
    def _since(onset: datetime, at: datetime | None) -> timedelta | None:
        return None if at is None else at - onset

    @property
    def to_stopped(self) -> timedelta | None:
        """Onset to infusion stopped (paused or discontinued)."""
        return self._since(self.onset_at, self.stopped_at)

    @property
    def to_notified(self) -> timedelta | None:
        """Onset to provider (or emergency team) told."""
        return self._since(self.onset_at, self.notified_at)

    @property
    def to_first_drug(self) -> timedelta | None:
        """Onset to the first drug given for the reaction."""
        return self._since(self.onset_at, self.first_drug_at)

    def elapsed(self, now: datetime) -> timedelta:
        """Time since onset (never negative)."""
        return max(now - self.onset_at, timedelta(0))


def _first(steps: Iterable[Step], codes: Iterable[str], onset: datetime) -> datetime | None:
    wanted = set(codes)
    times = [step.at for step in steps if step.code in wanted and step.at >= onset]
    return min(times, default=None)


def reaction_clock(onsets: Iterable[datetime], steps: Iterable[Step]) -> ReactionClock | None:
    """The clock of a reaction whose symptoms began at ``onsets``; None without a symptom.

    Only steps at or after the first onset count (a premedication is not treatment).
    """
    onset = min(onsets, default=None)
    if onset is None:
        return None
    done = tuple(steps)
    return ReactionClock(
        onset_at=onset,
        stopped_at=_first(done, (a.value for a in STOPPING_ACTIONS), onset),
        notified_at=_first(done, NOTIFICATION_STEPS, onset),
        first_drug_at=_first(done, (a.value for a in DRUG_ACTIONS), onset),
    )


class Disposition(enum.Enum):
    """How the reaction ended for this session."""

    CONTINUED = "continued"
    RESTARTED_REDUCED = "restarted_reduced"
    DISCONTINUED = "discontinued"
    TRANSFERRED = "transferred"
    ADMITTED = "admitted"

    @property
    def label(self) -> str:
        """The words on the outcome form."""
        return _DISPOSITION_LABELS[self]


_DISPOSITION_LABELS = {
    Disposition.CONTINUED: "Resolved; infusion continued at the same rate",
    Disposition.RESTARTED_REDUCED: "Resolved; restarted at a reduced rate",
    Disposition.DISCONTINUED: "Infusion discontinued",
    Disposition.TRANSFERRED: "Transferred (emergency department / other unit)",
    Disposition.ADMITTED: "Admitted to hospital",
}

#: CTCAE v5.0 terms the nurse may choose (rules-spec §4; cytokine release syndrome when the
#: engine sees the cytokine pattern, or on the nurse's judgement).
CTCAE_TERMS: dict[str, str] = {
    "infusion_related_reaction": "Infusion related reaction",
    "anaphylaxis": "Anaphylaxis",
    "allergic_reaction": "Allergic reaction",
    "cytokine_release_syndrome": "Cytokine release syndrome",
}
CTCAE_GRADES = range(1, 6)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The nurse's closing record of a reaction."""

    disposition: Disposition
    resolved_at: datetime | None
    restarted_at: datetime | None
    restart_rate: float | None
    ctcae_term: str
    ctcae_grade: int
    suggested_term: str
    suggested_grade: int
    flag_next_session: bool
    note: str = ""


#: CTCAE grade 3 and above: severe; no same-day restart as a rule (reference.md §5.2).
SEVERE_GRADE = 3


def outcome_problems(outcome: Outcome, onset_at: datetime, now: datetime) -> list[str]:
    """What is wrong with an outcome form (empty when it can be stored), one sentence each."""
    problems: list[str] = []
    for name, at in (("Resolved", outcome.resolved_at), ("Restarted", outcome.restarted_at)):
        if at is not None and at < onset_at:
            problems.append(f"{name} time is before the reaction began.")
        if at is not None and at > now:
            problems.append(f"{name} time is in the future.")
    reduced = outcome.disposition is Disposition.RESTARTED_REDUCED
    if reduced and outcome.restarted_at is None:
        problems.append("Give the time the infusion was restarted.")
    if reduced and (outcome.restart_rate is None or outcome.restart_rate <= 0):
        problems.append("Give the reduced rate the infusion was restarted at.")
    if (
        outcome.disposition in (Disposition.CONTINUED, Disposition.RESTARTED_REDUCED)
        and outcome.resolved_at is None
    ):
        problems.append("Give the time the reaction resolved.")
    if outcome.ctcae_term not in CTCAE_TERMS:
        problems.append("Choose a CTCAE term.")
    if outcome.ctcae_grade not in CTCAE_GRADES:
        problems.append("Choose a CTCAE grade from 1 to 5.")
    severe = max(outcome.ctcae_grade, outcome.suggested_grade) >= SEVERE_GRADE
    if outcome.disposition is Disposition.CONTINUED and severe and not outcome.note.strip():
        problems.append(
            "A grade 3-4 reaction is not usually continued at the same rate (reference §5.2: "
            "stop, no restart that day): say why in the note, or choose another outcome."
        )
    lower = outcome.ctcae_grade < outcome.suggested_grade
    if lower and not outcome.note.strip():
        problems.append(
            f"The grade is lower than the suggested grade {outcome.suggested_grade}: "
            "say why in the note."
        )
    return problems


def course_for_disposition(disposition: Disposition) -> CourseAction | None:
    """The course action the outcome implies (recorded with it), if any."""
    return {
        Disposition.RESTARTED_REDUCED: CourseAction.RESTART_INFUSION,
        Disposition.DISCONTINUED: CourseAction.DISCONTINUE_INFUSION,
        Disposition.ADMITTED: CourseAction.ADMIT,
    }.get(disposition)


def format_elapsed(delta: timedelta | None) -> str:
    """``3 min 20 s`` (``—`` when not done yet)."""
    if delta is None:
        return "—"
    seconds = max(int(delta.total_seconds()), 0)
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
