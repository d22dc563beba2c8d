"""Frozen pictures of a session's reaction care that the panels show (never ORM objects).

The care services return these; the Qt controller hands them to the symptom, guidance, alert and
reaction panels, which display them and forward the nurse's intents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from infusion_monitor.domain.alerts import Alert, AlertPolicy, AlertPriority, UnitAlerts
from infusion_monitor.domain.guidance import StepKind
from infusion_monitor.domain.reaction import Outcome, ReactionClock


@dataclass(frozen=True)
class SymptomView:
    """One symptom as currently recorded (the latest amendment wins)."""

    id: int
    code: str
    label: str
    onset_at: datetime
    resolved_at: datetime | None
    note: str | None
    recorded_by: str

    @property
    def active(self) -> bool:
        """Not yet resolved."""
        return self.resolved_at is None


@dataclass(frozen=True)
class FindingView:
    """One finding: the answer to "why?"."""

    rule: str
    pathway: str | None
    evidence: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class StepView:
    """One guidance step with the rule set's text, and whether and by whom it was done."""

    code: str
    text: str
    kind: StepKind
    done_at: datetime | None = None
    done_by: str | None = None
    declined_reason: str | None = None
    detail: str | None = None

    @property
    def answered(self) -> bool:
        """Done or declined."""
        return self.done_at is not None


@dataclass(frozen=True)
class GuidanceView:
    """The latest assessment's pathways, steps in order, findings and CTCAE suggestion."""

    assessment_id: int | None
    assessed_at: datetime | None
    priority: AlertPriority | None
    pathways: tuple[str, ...]
    steps: tuple[StepView, ...]
    findings: tuple[FindingView, ...]
    ctcae_term: str
    ctcae_grade: int
    cytokine_pattern: bool
    ruleset: str
    #: When IM epinephrine was given this session (for the repeat timer), in time order.
    epinephrine_given: tuple[datetime, ...] = ()
    #: The drug protocol's notes for a reaction ("avoid" premedications first).
    protocol_notes: tuple[str, ...] = ()
    #: Premedication classes the protocol says to avoid (not offered as standing orders).
    avoided: tuple[str, ...] = ()

    @property
    def epinephrine_indicated(self) -> bool:
        """The guidance lists the epinephrine step."""
        return any(step.code == "epinephrine_im" for step in self.steps)

    @property
    def first_open_step(self) -> StepView | None:
        """The first step neither done nor declined: what to do now."""
        return next((step for step in self.steps if not step.answered), None)


NO_GUIDANCE = GuidanceView(None, None, None, (), (), (), "none", 0, False, "")


@dataclass(frozen=True)
class ReactionView:
    """The reaction record: its clock and, once closed, its outcome."""

    clock: ReactionClock | None
    outcome: Outcome | None
    outcome_at: datetime | None = None
    outcome_by: str | None = None


@dataclass(frozen=True)
class CarePicture:
    """Everything the reaction-care panels of one session show, read in one transaction."""

    session_id: int
    session_start: datetime | None
    symptoms: tuple[SymptomView, ...]
    guidance: GuidanceView
    alert: Alert | None
    reaction: ReactionView
    policy: AlertPolicy = field(default_factory=AlertPolicy)
    #: Every course action recorded, as (code, time) in time order.
    course: tuple[tuple[str, datetime], ...] = ()


@dataclass(frozen=True)
class UnitAlertView:
    """The header's unit-wide alert summary, with each open alert's chair for the board."""

    summary: UnitAlerts
    by_session: dict[int, Alert]
