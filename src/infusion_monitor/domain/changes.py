"""What a committed use case changed: the one record every screen follows.

Every use case returns a :class:`Changes` with its outcome (the way Anki's operations return
``OpChanges``), and a commit made elsewhere (another workstation, the monitor gateway) reaches
the app as the same record, carried by PostgreSQL NOTIFY or SQLite's change log. The unit model
applies it: it re-reads only what the record names, so no screen needs a refresh of its own.

Ids name sessions (``infusion_session.id``); a record names what changed, never the new values,
so it is small enough for a NOTIFY payload and cannot disagree with what was committed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Changes:
    """Which parts of the unit a commit changed (all empty: nothing the screens show)."""

    #: Sessions whose record changed: set up, lifecycle (start, pause, rate, complete, close),
    #: assignment, baseline, patient details.
    sessions: frozenset[int] = field(default_factory=frozenset)
    #: Sessions with vital signs recorded, confirmed or amended (by a nurse or a monitor).
    vitals: frozenset[int] = field(default_factory=frozenset)
    #: Sessions whose care picture changed: symptoms, guidance steps, treatments, reaction record.
    care: frozenset[int] = field(default_factory=frozenset)
    #: Sessions whose alert was raised, acknowledged, escalated or resolved.
    alerts: frozenset[int] = field(default_factory=frozenset)
    #: Which chair holds which session (a session set up, closed or moved; beds configured).
    board: bool = False
    #: Staff accounts (added, disabled, PIN set).
    staff: bool = False
    #: Unit settings, the rule set, monitor sources.
    settings: bool = False
    #: Anything may have changed, so re-read everything: the feed lost its connection for a
    #: while (PostgreSQL notifications sent meanwhile are gone), or one transaction's record was
    #: too large to send. Sessions are then unknown: a reader re-reads every session it shows.
    everything: bool = False

    @property
    def empty(self) -> bool:
        """True when the commit changed nothing the screens show."""
        return not any(getattr(self, f.name) for f in fields(self))

    @property
    def session_ids(self) -> frozenset[int]:
        """Every session the record names, whatever part of it changed."""
        return self.sessions | self.vitals | self.care | self.alerts

    def __or__(self, other: Changes) -> Changes:
        """Both records as one (many commits since the last look are one change to show)."""
        return Changes(
            sessions=self.sessions | other.sessions,
            vitals=self.vitals | other.vitals,
            care=self.care | other.care,
            alerts=self.alerts | other.alerts,
            board=self.board or other.board,
            staff=self.staff or other.staff,
            settings=self.settings or other.settings,
            everything=self.everything or other.everything,
        )

    def to_json(self) -> str:
        """The record as compact JSON (a NOTIFY payload, a change-log row)."""
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, frozenset):
                if value:
                    data[f.name] = sorted(value)
            elif value:
                data[f.name] = True
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Changes:
        """The record :meth:`to_json` wrote; unknown keys (a newer workstation) are ignored."""
        data = json.loads(text)
        return cls(
            sessions=frozenset(int(i) for i in data.get("sessions", ())),
            vitals=frozenset(int(i) for i in data.get("vitals", ())),
            care=frozenset(int(i) for i in data.get("care", ())),
            alerts=frozenset(int(i) for i in data.get("alerts", ())),
            board=bool(data.get("board", False)),
            staff=bool(data.get("staff", False)),
            settings=bool(data.get("settings", False)),
            everything=bool(data.get("everything", False)),
        )


NOTHING = Changes()
#: The coarse record: re-read every session, the board, the staff and the settings.
EVERYTHING = Changes(board=True, staff=True, settings=True, everything=True)
