"""The chair board's data: one frozen snapshot per configured chair, read from the database.

Nothing here imports Qt or SQLAlchemy: the reads are SQL text (``session_records``), so the
app's first paint can run them through the standard library's ``sqlite3``; the widgets receive
these dataclasses and never an ORM object.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from infusion_monitor.domain.protocol_library import ProtocolLibrary
from infusion_monitor.services.sessions.records import (
    SessionDetail,
    active_session_ids,
    initials,
    latest_results,
    load_details,
    mrn_tail,
)
from infusion_monitor.storage.rows import Reader, Rows

__all__ = ["BoardService", "ChairState", "ChairStatus", "initials", "mrn_tail"]


class ChairState(enum.Enum):
    """What a chair is doing, as the board names it (a word on screen, never colour alone)."""

    FREE = "Free"
    PLANNED = "Planned"
    RUNNING = "Running"
    PAUSED = "Paused"
    OBSERVATION = "Observation"
    COMPLETED = "Completed"
    DISCONTINUED = "Discontinued"


#: The board's word for each session state that occupies a chair.
_STATES = {
    "planned": ChairState.PLANNED,
    "running": ChairState.RUNNING,
    "paused": ChairState.PAUSED,
    "observation": ChairState.OBSERVATION,
    "completed": ChairState.COMPLETED,
    "discontinued": ChairState.DISCONTINUED,
}


@dataclass(frozen=True)
class ChairStatus:
    """One tile of the board: the chair's name, its state and the session in it, if any."""

    name: str
    state: ChairState
    session: SessionDetail | None = None
    hold_escalation: bool = False
    """The latest assessment asks to hold the rate escalation (or to stop the infusion)."""


def chair_state(detail: SessionDetail | None) -> ChairState:
    """The board's state word for the session in a chair (FREE when there is none)."""
    return ChairState.FREE if detail is None else _STATES.get(detail.state.value, ChairState.FREE)


#: Actions of an assessment that mean "do not step the rate up now".
HOLD_ACTIONS = frozenset({"hold_escalation", "stop_infusion"})


def board_statuses(
    rows: Rows, chair_names: Sequence[str], library: ProtocolLibrary
) -> tuple[ChairStatus, ...]:
    """One status per chair in ``chair_names``, in that order, read inside one open read."""
    by_chair = active_session_ids(rows, chair_names)
    details = load_details(rows, list(by_chair.values()), library)
    held = {
        sid
        for sid, result in latest_results(rows, by_chair.values()).items()
        if HOLD_ACTIONS.intersection(result.get("actions", ()))
    }
    statuses = []
    for name in chair_names:
        session_id = by_chair.get(name)
        detail = details.get(session_id) if session_id is not None else None
        statuses.append(ChairStatus(name, chair_state(detail), detail, session_id in held))
    return tuple(statuses)


def session_statuses(
    rows: Rows, session_ids: Sequence[int], library: ProtocolLibrary
) -> dict[int, ChairStatus]:
    """The status of each named session in its chair, read inside one open read (a closed
    session comes back too: its state says the chair is free)."""
    details = load_details(rows, session_ids, library)
    held = {
        sid
        for sid, result in latest_results(rows, details).items()
        if HOLD_ACTIONS.intersection(result.get("actions", ()))
    }
    return {
        sid: ChairStatus(detail.chair, chair_state(detail), detail, sid in held)
        for sid, detail in details.items()
    }


class BoardService:
    """Reads what every configured chair is doing, in one short read-only transaction."""

    def __init__(
        self, reader: Reader, chair_names: Sequence[str], library: ProtocolLibrary
    ) -> None:
        self._reader = reader
        self._chair_names = tuple(chair_names)
        self._library = library

    @property
    def chair_names(self) -> tuple[str, ...]:
        """The configured chairs, in board order."""
        return self._chair_names

    def snapshot(self) -> tuple[ChairStatus, ...]:
        """Return one status per configured chair, in board order."""
        with self._reader() as rows:
            return board_statuses(rows, self._chair_names, self._library)

    def statuses(self, session_ids: Sequence[int]) -> dict[int, ChairStatus]:
        """The named sessions' statuses, by id, in one short read-only transaction."""
        with self._reader() as rows:
            return session_statuses(rows, session_ids, self._library)
