"""The unit model: chairs, the shown session's care, the unit's open alerts, vitals schedules.

Qt-free and evented (napari's evented models): :meth:`UnitModel.apply` takes a change record
(:class:`~infusion_monitor.domain.changes.Changes`) and what was re-read for it
(:class:`Fresh`), updates only what differs and emits one precise event per difference. The
widgets subscribe to the events they show and never read the database to follow a commit.
A local use case's outcome and a commit from elsewhere take this same path; applying the same
record twice (the feed's echo of a local commit) emits nothing the second time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from infusion_monitor.domain.alerts import Alert
from infusion_monitor.domain.changes import Changes
from infusion_monitor.domain.schedule import VitalsStatus
from infusion_monitor.domain.session import SessionState
from infusion_monitor.model.events import Emitter
from infusion_monitor.services.care.views import CarePicture
from infusion_monitor.services.sessions.board import ChairState, ChairStatus, chair_state
from infusion_monitor.services.sessions.records import SessionDetail

if TYPE_CHECKING:
    from infusion_monitor.services.monitor.beds import BedEntry
    from infusion_monitor.services.sessions.unit_board import UnitTile
    from infusion_monitor.services.staff.accounts import StaffMember
    from infusion_monitor.services.vitals.schedule import ScheduleFacts


@dataclass(frozen=True)
class Due:
    """One open session's vitals schedule: its chair and the stored facts it is computed from."""

    chair: str
    facts: ScheduleFacts

    def status(self, now: datetime) -> VitalsStatus:
        """Due, overdue, not yet due or nothing recorded, as of ``now`` (pure arithmetic)."""
        return self.facts.status(now)


@dataclass(frozen=True)
class Fresh:
    """What was read (or what a local outcome carried) for one change record.

    Every field is optional: ``None`` or empty means "not read", never "gone".
    """

    #: Every configured chair, re-read (the record said the board changed).
    chairs: tuple[ChairStatus, ...] | None = None
    #: Named sessions re-read, by id (a closed one: state CLOSED, its chair is free).
    statuses: Mapping[int, ChairStatus] = field(default_factory=dict)
    #: Sessions as a local outcome returned them (the chair's hold flag is kept until re-read).
    details: Mapping[int, SessionDetail] = field(default_factory=dict)
    #: Every open alert of the unit, by session (the record named an alert, or the board).
    alerts: Mapping[int, Alert] | None = None
    #: The open alert of a named session as a local outcome returned it (None: none open).
    alert_of: Mapping[int, Alert | None] = field(default_factory=dict)
    #: Care pictures of followed sessions.
    care: Mapping[int, CarePicture] = field(default_factory=dict)
    #: Vitals schedules of named sessions (None: no longer open).
    schedule: Mapping[int, Due | None] = field(default_factory=dict)
    #: True when ``schedule`` holds every open session of the unit (others are gone).
    schedule_complete: bool = False
    #: The unit board's tiles (every workstation's chairs), read while a unit board is open.
    unit_tiles: tuple[UnitTile, ...] | None = None
    #: Every staff account (the record said the staff changed).
    staff: tuple[StaffMember, ...] | None = None
    #: The unit's stored settings, the bed mappings, read while a unit settings window is open.
    beds: tuple[BedEntry, ...] | None = None


NOTHING_READ = Fresh()


@dataclass(frozen=True)
class Wanted:
    """What the GUI shows beyond the board, for the loader to re-read: the followed session
    and whether a unit board or a unit settings window is open."""

    followed: int | None = None
    unit_board: bool = False
    unit_settings: bool = False


@dataclass(frozen=True)
class ChairChanged:
    """A chair tile's status changed (``index`` in board order)."""

    index: int
    status: ChairStatus


class UnitModel:
    """What this workstation's screens show; apply change records, subscribe to its events."""

    def __init__(self, chairs: tuple[ChairStatus, ...], alerts: Mapping[int, Alert]) -> None:
        self.chairs: tuple[ChairStatus, ...] = chairs
        self.alerts: dict[int, Alert] = dict(alerts)
        self.care: dict[int, CarePicture] = {}
        self.schedule: dict[int, Due] = {}
        #: Whether the unit's schedules were read once (until then nobody knows what is due).
        self.schedule_read = False
        self.unit_tiles: tuple[UnitTile, ...] = ()
        #: Every staff account as last read (None: not read since the start).
        self.staff: tuple[StaffMember, ...] | None = None
        #: The bed mappings while a unit settings window is open (None: not read).
        self.beds: tuple[BedEntry, ...] | None = None
        self._followed: int | None = None
        self._unit_boards = 0
        self._unit_settings = 0
        #: A chair's status changed (tile, header, session view follow).
        self.chair_changed: Emitter[ChairChanged] = Emitter("chair_changed")
        #: A session's stored record changed (lifecycle, rate, latest values): its detail.
        self.session_changed: Emitter[SessionDetail] = Emitter("session_changed")
        #: The open alert of a session changed (raised, acknowledged, escalated, resolved).
        self.alert_changed: Emitter[int] = Emitter("alert_changed")
        #: The unit's open alerts after one or more ``alert_changed`` (header, sound, bands).
        self.alerts_changed: Emitter[Mapping[int, Alert]] = Emitter("alerts_changed")
        #: A followed session's care picture changed.
        self.care_changed: Emitter[CarePicture] = Emitter("care_changed")
        #: Vital signs of a session were recorded, confirmed or amended (plot, stored sets).
        self.vitals_changed: Emitter[int] = Emitter("vitals_changed")
        #: The vitals schedules of the unit's open sessions changed, or were first read (the
        #: prompt bar).
        self.schedule_changed: Emitter[Mapping[int, Due]] = Emitter("schedule_changed")
        #: The unit board's tiles changed.
        self.unit_board_changed: Emitter[tuple[UnitTile, ...]] = Emitter("unit_board_changed")
        #: Staff accounts changed (the staff window, the signed-in account): every account.
        self.staff_changed: Emitter[tuple[StaffMember, ...]] = Emitter("staff_changed")
        #: The unit's stored settings changed (the unit settings window): the bed mappings.
        self.settings_changed: Emitter[tuple[BedEntry, ...]] = Emitter("settings_changed")

    # What the GUI shows beyond the board --------------------------------------------------

    @property
    def wanted(self) -> Wanted:
        """What the loader re-reads besides what a record names."""
        return Wanted(self._followed, self._unit_boards > 0, self._unit_settings > 0)

    @property
    def followed(self) -> int | None:
        """The session whose care the session view shows."""
        return self._followed

    def follow(self, session_id: int | None, picture: CarePicture | None = None) -> None:
        """Keep ``session_id``'s care picture (``picture``: as just read, if it was)."""
        if session_id != self._followed:
            self.care = {}
        self._followed = session_id
        if picture is not None and picture.session_id == session_id:
            self.care[session_id] = picture

    def watch_unit_board(self, open_: bool) -> None:
        """A unit board window opened (True) or closed (False): read its tiles meanwhile."""
        self._unit_boards = max(0, self._unit_boards + (1 if open_ else -1))

    def watch_unit_settings(self, open_: bool) -> None:
        """A unit settings window opened (True) or closed (False): read the bed mappings while
        one is open (forgotten when the last closes, so the next never shows an old read)."""
        self._unit_settings = max(0, self._unit_settings + (1 if open_ else -1))
        if not self._unit_settings:
            self.beds = None

    # Reading --------------------------------------------------------------------------------

    @property
    def session_ids(self) -> frozenset[int]:
        """Sessions in this board's chairs."""
        return frozenset(s.session.id for s in self.chairs if s.session is not None)

    def chair_of(self, session_id: int) -> str:
        """The chair of an open session (for the prompt's words)."""
        due = self.schedule.get(session_id)
        if due is not None:
            return due.chair
        for status in self.chairs:
            if status.session is not None and status.session.id == session_id:
                return status.name
        return f"session {session_id}"

    def vitals_statuses(self, now: datetime) -> dict[int, VitalsStatus] | None:
        """The vitals state of every open session of the unit as of ``now`` (no read); None
        until the unit's schedules were first read (not known is not "nothing due")."""
        if not self.schedule_read:
            return None
        return {sid: due.status(now) for sid, due in self.schedule.items()}

    def expand(self, changes: Changes) -> Changes:
        """A record that names no session but the board (a commit whose payload is unknown)
        names every session this workstation shows: its record, care and alert. Its vitals are
        announced only if its latest values moved (a plot is not redrawn for every commit)."""
        if not changes.board or changes.session_ids:
            return changes
        shown = self.session_ids | ({self._followed} if self._followed is not None else set())
        ids = frozenset(shown)
        return changes | Changes(sessions=ids, care=ids, alerts=ids)

    # Applying -------------------------------------------------------------------------------

    def apply(self, changes: Changes, fresh: Fresh = NOTHING_READ) -> None:
        """Take what ``fresh`` holds for ``changes`` and emit an event for each difference."""
        moved = self._apply_chairs(fresh)
        self._apply_alerts(fresh)
        for session_id, picture in fresh.care.items():
            if session_id == self._followed and self.care.get(session_id) != picture:
                self.care[session_id] = picture
                self.care_changed.emit(picture)
        self._apply_schedule(fresh)
        for session_id in sorted(changes.vitals | moved):
            self.vitals_changed.emit(session_id)
        if fresh.unit_tiles is not None and fresh.unit_tiles != self.unit_tiles:
            self.unit_tiles = fresh.unit_tiles
            self.unit_board_changed.emit(fresh.unit_tiles)
        if fresh.staff is not None and fresh.staff != self.staff:
            self.staff = fresh.staff
            self.staff_changed.emit(fresh.staff)
        if fresh.beds is not None and self._unit_settings and fresh.beds != self.beds:
            self.beds = fresh.beds
            self.settings_changed.emit(fresh.beds)

    def _apply_chairs(self, fresh: Fresh) -> frozenset[int]:
        """Update the chairs; return the sessions whose latest values moved."""
        old = self.chairs
        new = list(fresh.chairs if fresh.chairs is not None else old)
        if fresh.chairs is not None and len(new) == len(old):
            # A whole-board read older than a local outcome applied meanwhile keeps the newer.
            new = [_newer(was, read) for was, read in zip(old, new, strict=True)]
        for status in fresh.statuses.values():
            _place(new, status)
        for detail in fresh.details.values():
            held = next(
                (s.hold_escalation for s in new if s.session and s.session.id == detail.id), False
            )
            _place(new, ChairStatus(detail.chair, chair_state(detail), detail, held))
        self.chairs = tuple(new)
        shown: dict[int, SessionDetail] = {
            s.session.id: s.session for s in old if s.session is not None
        }
        moved = frozenset(
            s.session.id
            for s in new
            if s.session is not None
            and s.session.id in shown
            and shown[s.session.id].latest_vitals != s.session.latest_vitals
        )
        if len(new) != len(old):
            for index, status in enumerate(new):
                self.chair_changed.emit(ChairChanged(index, status))
            return moved
        for index, (was, now) in enumerate(zip(old, new, strict=True)):
            if was != now:
                self.chair_changed.emit(ChairChanged(index, now))
        for status in new:
            session = status.session
            if session is not None and session.id in shown and shown[session.id] != session:
                self.session_changed.emit(session)
        read = [s.session for s in fresh.statuses.values() if s.session is not None]
        for closed in (*fresh.details.values(), *read):
            if closed.state is SessionState.CLOSED and closed.id in shown:
                self.session_changed.emit(closed)
        return moved

    def _apply_alerts(self, fresh: Fresh) -> None:
        new = dict(fresh.alerts) if fresh.alerts is not None else dict(self.alerts)
        for session_id, alert in fresh.alert_of.items():
            if alert is not None and alert.open:
                new[session_id] = alert
            else:
                new.pop(session_id, None)
        changed = sorted(
            sid for sid in set(new) | set(self.alerts) if new.get(sid) != self.alerts.get(sid)
        )
        self.alerts = new
        for session_id in changed:
            self.alert_changed.emit(session_id)
        if changed:
            self.alerts_changed.emit(new)

    def _apply_schedule(self, fresh: Fresh) -> None:
        new = {} if fresh.schedule_complete else dict(self.schedule)
        for session_id, due in fresh.schedule.items():
            if due is None:
                new.pop(session_id, None)
            else:
                new[session_id] = due
        first = fresh.schedule_complete and not self.schedule_read
        self.schedule_read = self.schedule_read or fresh.schedule_complete
        if first or new != self.schedule:
            self.schedule = new
            self.schedule_changed.emit(new)


def _place(chairs: list[ChairStatus], status: ChairStatus) -> None:
    """Put a session's status in its chair (a closed session frees the chair it held)."""
    detail = status.session
    closed = detail is not None and detail.state is SessionState.CLOSED
    for index, was in enumerate(chairs):
        if closed and was.session is not None and detail is not None:
            if was.session.id == detail.id:
                chairs[index] = ChairStatus(was.name, ChairState.FREE)
                return
        elif was.name == status.name:
            if not _older(status, was):
                chairs[index] = status
            return


def _older(read: ChairStatus, was: ChairStatus) -> bool:
    """The read shows the same session at an older version than already shown."""
    if read.session is None or was.session is None or read.session.id != was.session.id:
        return False
    return read.session.version < was.session.version


def _newer(was: ChairStatus, read: ChairStatus) -> ChairStatus:
    return was if _older(read, was) else read


__all__ = ["NOTHING_READ", "ChairChanged", "Due", "Fresh", "UnitModel", "Wanted"]
