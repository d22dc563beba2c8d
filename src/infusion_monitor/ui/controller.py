"""The thin Qt adapter over the session services: runs a use case, then publishes what changed.

Widgets call the controller; the controller calls the service with the signed-in actor, tells the
message funnel when a use case is refused or the database fails, and publishes every stored
outcome to the unit model as a change record with the session as committed (Anki's CollectionOp
→ OpChanges idea), so the board and the session view follow what was committed, never what was
typed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from infusion_monitor.domain.changes import Changes
from infusion_monitor.domain.session import SessionState
from infusion_monitor.domain.users import Actor
from infusion_monitor.errors import UserError
from infusion_monitor.model.outcomes import changes_of
from infusion_monitor.model.unit import Fresh
from infusion_monitor.services.messages import MessageFunnel
from infusion_monitor.services.sessions.lifecycle import (
    SessionChanged,
    SessionRef,
    SessionService,
    SessionSetUp,
    StaleSessionError,
)
from infusion_monitor.services.sessions.records import SessionDetail
from infusion_monitor.services.sessions.setup import (
    NOT_SAVED,
    BaselineDraft,
    ProtocolChoice,
    ReturningPatient,
    SessionDraft,
    SetupRefused,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
#: Hands a change record (and what the outcome carried) to the unit model.
Publish = Callable[[Changes, Fresh], None]


class SessionController(QObject):
    """Runs session use cases for the window and publishes their outcomes to the unit model."""

    #: A use case was refused or failed; the message went to the funnel. Carries the message.
    operation_failed = Signal(str)

    def __init__(
        self,
        sessions: SessionService,
        chair_names: tuple[str, ...],
        funnel: MessageFunnel,
        actor: Callable[[], Actor],
        publish: Publish,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._sessions = sessions
        self._chair_names = chair_names
        self._publish = publish
        self._funnel = funnel
        self._actor = actor
        #: The fields the last refused set-up named, for the form to mark.
        self.last_problems: tuple[tuple[str, str], ...] = ()

    @property
    def chair_names(self) -> tuple[str, ...]:
        """The configured chairs, in board order."""
        return self._chair_names

    @property
    def actor(self) -> Actor:
        """Who is acting now."""
        return self._actor()

    # Reading

    def protocols(self) -> tuple[ProtocolChoice, ...]:
        """The set-up form's drug list."""
        return self._sessions.protocols()

    def nurses(self) -> tuple[tuple[str, str], ...]:
        """Staff who can look after a chair, as (staff id, name)."""
        return self._guard(self._sessions.nurses) or ()

    def find_patient(self, mrn: str) -> ReturningPatient | None:
        """A returning patient by MRN (None if new, or if the lookup failed: message shown)."""
        return self._guard(lambda: self._sessions.find_patient(mrn))

    def detail(self, session_id: int) -> SessionDetail | None:
        """The session as stored now (None if it could not be read: message shown)."""
        return self._guard(lambda: self._sessions.detail(session_id))

    # Use cases

    def report_problems(self, problems: list[tuple[str, str]]) -> None:
        """Tell the nurse what the form found wrong before asking the service."""
        self.last_problems = tuple(problems)
        text = f"{NOT_SAVED} " + " ".join(message for _, message in problems)
        self._funnel.error(text)
        self.operation_failed.emit(text)

    def set_up(self, draft: SessionDraft) -> SessionSetUp | None:
        """Store a new session; None when refused or failed (the form keeps its values)."""
        self.last_problems = ()
        outcome = self._guard(lambda: self._sessions.set_up(draft, self._actor()))
        if outcome is not None:
            if outcome.age_note is not None:
                self._funnel.warning(outcome.age_note)
            self._published(outcome, outcome.detail, board=True)
        return outcome

    def record_baseline(
        self, detail: SessionDetail, baseline: BaselineDraft
    ) -> SessionSetUp | None:
        """Record a fresh baseline for a planned session."""
        outcome = self._guard(
            lambda: self._sessions.record_baseline(_ref(detail), baseline, self._actor()),
            detail,
        )
        if outcome is not None:
            self._published(outcome, outcome.detail)
        return outcome

    def start(
        self, detail: SessionDetail, acknowledgement: str | None = None
    ) -> SessionChanged | None:
        """Start the infusion (with the baseline NEWS2 acknowledgement when one is needed)."""
        return self._change(
            detail, lambda ref, actor: self._sessions.start(ref, actor, acknowledgement)
        )

    def pause(self, detail: SessionDetail, reason: str) -> SessionChanged | None:
        """Pause with a reason."""
        return self._change(detail, lambda ref, actor: self._sessions.pause(ref, actor, reason))

    def resume(
        self, detail: SessionDetail, rate: float | None = None, override: str | None = None
    ) -> SessionChanged | None:
        """Resume, optionally at a new rate (``override``: the reason to restart above the
        label's limit after a reaction)."""
        return self._change(
            detail, lambda ref, actor: self._sessions.resume(ref, actor, rate, override)
        )

    def change_rate(self, detail: SessionDetail, rate: float) -> SessionChanged | None:
        """Change the rate (an increase needs vitals from the last 15 minutes)."""
        return self._change(detail, lambda ref, actor: self._sessions.change_rate(ref, actor, rate))

    def complete(self, detail: SessionDetail) -> SessionChanged | None:
        """The infusion ran to its end; observation starts with it."""
        return self._change(detail, self._sessions.complete)

    def discontinue(self, detail: SessionDetail, reason: str) -> SessionChanged | None:
        """Stop the infusion for good, with a reason."""
        return self._change(
            detail, lambda ref, actor: self._sessions.discontinue(ref, actor, reason)
        )

    def start_observation(self, detail: SessionDetail) -> SessionChanged | None:
        """Begin a deferred post-infusion observation."""
        return self._change(detail, self._sessions.start_observation)

    def close(self, detail: SessionDetail, reason: str | None = None) -> SessionChanged | None:
        """Close the session (a reason to skip or cut short the observation)."""
        return self._change(detail, lambda ref, actor: self._sessions.close(ref, actor, reason))

    # Machinery

    def _change(
        self,
        detail: SessionDetail,
        run: Callable[[SessionRef, Actor], SessionChanged],
    ) -> SessionChanged | None:
        outcome = self._guard(lambda: run(_ref(detail), self._actor()), detail)
        if outcome is not None:
            closed = outcome.detail.state is SessionState.CLOSED
            self._published(outcome, outcome.detail, board=closed)
        return outcome

    def _published(self, outcome: object, detail: SessionDetail, *, board: bool = False) -> None:
        """The outcome to the unit model: the session as committed, at once."""
        changes = changes_of(outcome, detail.id, board=board)
        self._publish(changes, Fresh(details={detail.id: detail}))

    def _guard(self, run: Callable[[], T], detail: SessionDetail | None = None) -> T | None:
        """Run a use case; a UserError goes to the funnel (and a stale session is reloaded)."""
        try:
            return run()
        except StaleSessionError as exc:
            self._funnel.warning(exc.message)
            self.operation_failed.emit(exc.message)
            if detail is not None:
                self._reload(detail.id)
            return None
        except SetupRefused as exc:
            self.last_problems = exc.problems
            self._funnel.error(exc.message)
            self.operation_failed.emit(exc.message)
            return None
        except UserError as exc:
            self._funnel.error(exc.message)
            self.operation_failed.emit(exc.message)
            return None

    def _reload(self, session_id: int) -> None:
        """Another workstation changed the session first: read it again (and the board)."""
        ids = frozenset({session_id})
        self._publish(Changes(sessions=ids, care=ids, alerts=ids, board=True), Fresh())


def _ref(detail: SessionDetail) -> SessionRef:
    return SessionRef(detail.id, detail.version)
