"""Re-read what a change record names (runs on the loader's thread, never the GUI's).

Only what the record names is read: the sessions it names (their chair status and vitals
schedule), the unit's open alerts when it names an alert, the followed session's care when it
names that session, the whole board when it says the board changed, the unit board's tiles
while one is open, every staff account when it says the staff changed, and the bed mappings
when it says the settings changed while a unit settings window is open. An alert is read first
and handed on at once, before the rest is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from infusion_monitor.domain.changes import Changes
from infusion_monitor.model.loader import Stop
from infusion_monitor.model.unit import Due, Fresh, Wanted

if TYPE_CHECKING:
    from infusion_monitor.services.care.alerts import AlertService
    from infusion_monitor.services.care.service import CareService
    from infusion_monitor.services.monitor.beds import BedEntry
    from infusion_monitor.services.sessions.board import BoardService
    from infusion_monitor.services.sessions.unit_board import UnitTile
    from infusion_monitor.services.staff.accounts import StaffMember
    from infusion_monitor.services.vitals.schedule import VitalsScheduleService


@dataclass(frozen=True)
class UnitReads:
    """The queries behind the unit model, one short read-only transaction each."""

    board: BoardService
    alerts: AlertService
    care: CareService
    schedule: VitalsScheduleService
    unit_board: Callable[[], tuple[UnitTile, ...]]
    staff: Callable[[], tuple[StaffMember, ...]]
    beds: Callable[[], tuple[BedEntry, ...]]

    def read(
        self, changes: Changes, wanted: Wanted, stop: Stop = lambda: False
    ) -> Iterator[tuple[Changes, Fresh]]:
        """What ``changes`` names, as stored now, in parts: each part is the record it answers
        and what was read for it, and the last one answers ``changes`` itself.

        Alarms first: when the record names an alert among other things (a monitor's set that
        raised one), the unit's open alerts and the followed session's care picture (its alert
        band) are read, in one transaction, and handed on before the chairs, the schedules and
        the plot's record.
        Between the reads after the alarms, ``stop()`` is asked; when it says so, the read ends
        there without its last part (the loader reads the record again after a newer alarm).
        """
        alarms = None
        if changes.alerts and not changes.board and changes != Changes(alerts=changes.alerts):
            followed = wanted.followed if wanted.followed in changes.alerts else None
            alerts, picture = self.care.alarms(followed)  # one transaction
            care = {} if followed is None or picture is None else {followed: picture}
            alarms = Fresh(alerts=alerts.by_session, care=care)
            yield Changes(alerts=changes.alerts), alarms
        rest = self._rest(changes, wanted, alarms, stop)
        if rest is not None:
            yield changes, rest

    def _rest(
        self, changes: Changes, wanted: Wanted, alarms: Fresh | None, stop: Stop
    ) -> Fresh | None:
        """What ``changes`` names beyond what ``alarms`` (read first, if it was) holds; None
        when ``stop()`` said so before one of its reads."""
        named = changes.sessions | changes.vitals | changes.care | changes.alerts
        if stop():
            return None
        chairs = self.board.snapshot() if changes.board else None
        statuses = {} if changes.board or not named else self.board.statuses(sorted(named))
        alerts = None
        if alarms is None and (changes.alerts or changes.board):
            if stop():
                return None
            alerts = self.alerts.unit_alerts().by_session
        care = {}
        followed = wanted.followed
        read_first = alarms is not None and followed in alarms.care
        if followed is not None and (followed in named or changes.board) and not read_first:
            if stop():
                return None
            care[followed] = self.care.picture(followed)
        scheduled = changes.sessions | changes.vitals | changes.care
        schedule: dict[int, Due | None] = {}
        if changes.board or scheduled:
            if stop():
                return None
            read = self.schedule.facts(None if changes.board else scheduled)
            schedule = dict.fromkeys(scheduled)
            schedule.update({sid: Due(chair, facts) for sid, (chair, facts) in read.items()})
        if stop():
            return None
        tiles = self.unit_board() if wanted.unit_board else None
        staff = self.staff() if changes.staff else None
        beds = self.beds() if changes.settings and wanted.unit_settings else None
        return Fresh(
            chairs=chairs,
            statuses=statuses,
            alerts=alerts,
            care=care,
            schedule=schedule,
            schedule_complete=changes.board,
            unit_tiles=tiles,
            staff=staff,
            beds=beds,
        )
