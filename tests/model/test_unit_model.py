"""The unit model applies change records and says precisely what changed, once.

The model is plain Python: these tests build it without Qt or a database. Sessions are small
stand-ins with what the model looks at (id, version, chair, state).
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from infusion_monitor.domain.alerts import Alert, AlertPriority, AlertState
from infusion_monitor.domain.changes import Changes
from infusion_monitor.domain.session import SessionState
from infusion_monitor.domain.users import Role
from infusion_monitor.model.unit import ChairChanged, Fresh, UnitModel
from infusion_monitor.services.monitor.beds import BedEntry
from infusion_monitor.services.sessions.board import ChairState, ChairStatus
from infusion_monitor.services.staff.accounts import StaffMember

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Detail:
    """What the model reads of a ``SessionDetail``."""

    id: int
    version: int
    chair: str
    state: SessionState = SessionState.RUNNING
    latest_vitals: object = None


def status(detail: Detail) -> ChairStatus:
    state = ChairState.RUNNING if detail.state is SessionState.RUNNING else ChairState.PAUSED
    return ChairStatus(detail.chair, state, detail)  # type: ignore[arg-type]


def alert(session_id: int, state: AlertState = AlertState.ACTIVE) -> Alert:
    return Alert(7, session_id, "anaphylaxis", AlertPriority.HIGH, state, T0)


def recorder(model: UnitModel) -> list[tuple[str, Any]]:
    """Every event the model emits, in order."""
    heard: list[tuple[str, Any]] = []
    for name in (
        "chair_changed",
        "session_changed",
        "alert_changed",
        "alerts_changed",
        "care_changed",
        "vitals_changed",
        "schedule_changed",
        "staff_changed",
        "settings_changed",
    ):
        getattr(model, name).connect(lambda payload, name=name: heard.append((name, payload)))
    return heard


def two_chairs() -> tuple[UnitModel, Detail]:
    running = Detail(1, 3, "Chair 1")
    model = UnitModel((status(running), ChairStatus("Chair 2", ChairState.FREE)), {})
    return model, running


def test_a_changed_session_changes_its_chair_and_its_view_once_and_the_echo_nothing() -> None:
    model, _ = two_chairs()
    heard = recorder(model)
    paused = Detail(1, 4, "Chair 1", SessionState.PAUSED)
    record = Changes(sessions=frozenset({1}))
    model.apply(record, Fresh(details={1: paused}))  # type: ignore[dict-item]
    assert heard == [
        ("chair_changed", ChairChanged(0, status(paused))),
        ("session_changed", paused),
    ]
    heard.clear()
    model.apply(record, Fresh(statuses={1: status(paused)}))  # the feed's echo, re-read
    assert heard == []


def test_a_read_older_than_what_is_shown_does_not_step_the_chair_back() -> None:
    model, running = two_chairs()
    heard = recorder(model)
    older = Detail(1, 2, "Chair 1", SessionState.PAUSED)
    model.apply(Changes(sessions=frozenset({1})), Fresh(statuses={1: status(older)}))
    assert heard == [] and model.chairs[0].session == running


def test_an_alert_is_announced_for_its_session_then_for_the_unit_and_an_echo_is_silent() -> None:
    model, _ = two_chairs()
    heard = recorder(model)
    raised = alert(1)
    model.apply(Changes(alerts=frozenset({1})), Fresh(alert_of={1: raised}))
    assert heard == [("alert_changed", 1), ("alerts_changed", {1: raised})]
    heard.clear()
    model.apply(Changes(alerts=frozenset({1})), Fresh(alerts={1: raised}))
    assert heard == []
    model.apply(Changes(alerts=frozenset({1})), Fresh(alert_of={1: alert(1, AlertState.RESOLVED)}))
    assert heard == [("alert_changed", 1), ("alerts_changed", {})]


def test_a_closed_session_frees_its_chair_and_says_so_to_the_view() -> None:
    model, _ = two_chairs()
    heard = recorder(model)
    closed = Detail(1, 9, "Chair 1", SessionState.CLOSED)
    model.apply(Changes(sessions=frozenset({1}), board=True), Fresh(details={1: closed}))  # type: ignore[dict-item]
    assert model.chairs[0] == ChairStatus("Chair 1", ChairState.FREE)
    assert heard == [
        ("chair_changed", ChairChanged(0, ChairStatus("Chair 1", ChairState.FREE))),
        ("session_changed", closed),
    ]


def test_a_record_without_payload_names_every_session_shown() -> None:
    model, _ = two_chairs()
    model.follow(5)
    expanded = model.expand(Changes(board=True))
    assert expanded.sessions == expanded.care == expanded.alerts == frozenset({1, 5})
    assert expanded.vitals == frozenset()  # announced only when the latest values move
    precise = Changes(board=True, sessions=frozenset({2}))
    assert model.expand(precise) == precise


def test_new_latest_values_announce_the_sessions_vitals_whatever_the_record_said() -> None:
    model, _ = two_chairs()
    heard = recorder(model)
    newer = Detail(1, 3, "Chair 1", latest_vitals="HR 112")
    model.apply(Changes(board=True), Fresh(statuses={1: status(newer)}))
    assert ("vitals_changed", 1) in heard


def test_vitals_records_are_announced_and_staff_and_settings_when_what_was_read_differs() -> None:
    model, _ = two_chairs()
    heard = recorder(model)
    nurse = StaffMember("RN1", "Ann Nurse", Role.NURSE, True)
    model.apply(Changes(vitals=frozenset({1}), staff=True), Fresh(staff=(nurse,)))
    assert heard == [("vitals_changed", 1), ("staff_changed", (nurse,))]
    heard.clear()
    model.apply(Changes(staff=True), Fresh(staff=(nurse,)))  # the echo
    model.apply(Changes(staff=True))  # not read (a failed read): nothing is gone
    assert heard == [] and model.staff == (nurse,)
    bed = BedEntry(1, "BED 01", "", "", "Chair 1")
    model.apply(Changes(settings=True), Fresh(beds=(bed,)))  # no settings window open
    assert heard == [] and model.beds is None
    model.watch_unit_settings(True)
    assert model.wanted.unit_settings
    model.apply(Changes(settings=True), Fresh(beds=(bed,)))
    assert heard == [("settings_changed", (bed,))]


def test_the_model_loads_without_qt_or_a_database_driver() -> None:
    code = (
        "import sys, infusion_monitor.model.unit, infusion_monitor.model.loader;"
        "bad = [m for m in ('PySide6', 'pyqtgraph') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
