"""The alert state machine: one per condition, acknowledgement, latching, repeat, escalation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from infusion_monitor.domain.alerts import (
    Alert,
    AlertChange,
    AlertPolicy,
    AlertPriority,
    AlertRefused,
    AlertState,
    acknowledge,
    decide,
    summarise,
)

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
POLICY = AlertPolicy()


def _s(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _stored(decision_open: Alert | None, alert_id: int = 1) -> Alert:
    assert decision_open is not None
    return replace(decision_open, id=alert_id) if decision_open.id == 0 else decision_open


def test_priority_words_marks_and_flash() -> None:
    assert AlertPriority.HIGH.words == "!!! HIGH"
    assert AlertPriority.MEDIUM.words == "!! MEDIUM"
    assert AlertPriority.LOW.words == "! LOW"
    assert 1.4 <= AlertPriority.HIGH.flash_hz <= 2.8
    assert 0.4 <= AlertPriority.MEDIUM.flash_hz <= 0.8
    assert AlertPriority.LOW.flash_hz == 0
    assert AlertPriority.from_code("none") is None
    assert AlertPriority.from_code("medium") is AlertPriority.MEDIUM
    assert AlertPriority.HIGH.code == "high"


def test_nothing_flagged_raises_nothing() -> None:
    assert decide(None, 1, None, "", T0).change is AlertChange.NONE


def test_a_rise_raises_an_active_alert() -> None:
    decision = decide(None, 7, AlertPriority.MEDIUM, "moderate_reaction", T0)
    assert decision.change is AlertChange.RAISED
    assert decision.close is None
    alert = _stored(decision.open)
    assert alert.priority is AlertPriority.MEDIUM
    assert alert.state is AlertState.ACTIVE
    assert alert.session_id == 7 and alert.raised_at == T0
    assert alert.flashing()


def test_same_priority_updates_one_alert_not_one_per_reading() -> None:
    alert = _stored(decide(None, 1, AlertPriority.HIGH, "severe_reaction", T0).open)
    again = decide(alert, 1, AlertPriority.HIGH, "severe_reaction", _s(30))
    assert again.change is AlertChange.NONE and again.open == alert
    changed = decide(alert, 1, AlertPriority.HIGH, "anaphylaxis", _s(60))
    assert changed.change is AlertChange.UPDATED
    assert changed.open is not None and changed.open.id == alert.id
    assert changed.open.condition == "anaphylaxis"
    assert changed.open.raised_at == T0


def test_higher_priority_supersedes_even_an_acknowledged_alert() -> None:
    alert = _stored(decide(None, 1, AlertPriority.MEDIUM, "moderate_reaction", T0).open)
    acked = acknowledge(alert, "Nurse A", _s(20), AlertPriority.MEDIUM)
    decision = decide(acked, 1, AlertPriority.HIGH, "anaphylaxis", _s(90))
    assert decision.change is AlertChange.RAISED
    assert decision.close is not None and decision.close.state is AlertState.RESOLVED
    assert decision.close.resolved_at == _s(90)
    assert decision.open is not None and decision.open.state is AlertState.ACTIVE
    assert decision.open.priority is AlertPriority.HIGH


def test_unacknowledged_alert_latches_when_priority_falls_or_clears() -> None:
    alert = _stored(decide(None, 1, AlertPriority.HIGH, "anaphylaxis", T0).open)
    assert decide(alert, 1, AlertPriority.MEDIUM, "moderate_reaction", _s(60)).open == alert
    cleared = decide(alert, 1, None, "", _s(120))
    assert cleared.change is AlertChange.NONE and cleared.open == alert


def test_acknowledged_alert_follows_priority_down_then_resolves() -> None:
    alert = _stored(decide(None, 1, AlertPriority.HIGH, "anaphylaxis", T0).open)
    acked = acknowledge(alert, "Nurse A", _s(30), AlertPriority.HIGH)
    assert acked.state is AlertState.ACKNOWLEDGED and acked.acknowledged_by == "Nurse A"
    assert acked.acknowledged_at == _s(30)
    assert not acked.flashing()
    lowered = decide(acked, 1, AlertPriority.MEDIUM, "moderate_reaction", _s(300))
    assert lowered.change is AlertChange.LOWERED
    assert lowered.open is not None and lowered.open.priority is AlertPriority.MEDIUM
    assert lowered.open.state is AlertState.ACKNOWLEDGED
    resolved = decide(lowered.open, 1, None, "", _s(900))
    assert resolved.change is AlertChange.RESOLVED
    assert resolved.close is not None and resolved.close.resolved_at == _s(900)
    assert decide(resolved.close, 1, None, "", _s(960)).change is AlertChange.NONE
    again = decide(resolved.close, 1, AlertPriority.LOW, "mild_reaction", _s(960))
    assert again.change is AlertChange.RAISED and again.close is None


def test_a_monitor_set_alone_neither_lowers_nor_resolves_but_may_raise() -> None:
    alert = _stored(decide(None, 1, AlertPriority.MEDIUM, "moderate_reaction", T0).open)
    acked = acknowledge(alert, "Nurse A", _s(30), AlertPriority.MEDIUM)
    for priority in (None, AlertPriority.LOW):
        kept = decide(acked, 1, priority, "", _s(60), nurse_set=False)
        assert kept.change is AlertChange.NONE and kept.open == acked and kept.close is None
    raised = decide(acked, 1, AlertPriority.HIGH, "anaphylaxis", _s(90), nurse_set=False)
    assert raised.change is AlertChange.RAISED
    assert decide(acked, 1, None, "", _s(120)).change is AlertChange.RESOLVED


def test_acknowledging_a_cleared_latched_alert_resolves_it() -> None:
    alert = _stored(decide(None, 1, AlertPriority.MEDIUM, "moderate_reaction", T0).open)
    done = acknowledge(alert, "Nurse B", _s(45), None)
    assert done.state is AlertState.RESOLVED and done.resolved_at == _s(45)
    assert done.acknowledged_at == _s(45)


def test_acknowledgement_refusals() -> None:
    alert = _stored(decide(None, 1, AlertPriority.HIGH, "anaphylaxis", T0).open)
    acked = acknowledge(alert, "Nurse A", _s(1), AlertPriority.HIGH)
    with pytest.raises(AlertRefused, match="already acknowledged"):
        acknowledge(acked, "Nurse A", _s(2), AlertPriority.HIGH)
    with pytest.raises(AlertRefused, match="before it was raised"):
        acknowledge(alert, "Nurse A", _s(-1), AlertPriority.HIGH)


def test_low_alert_is_steady() -> None:
    low = _stored(decide(None, 1, AlertPriority.LOW, "mild_reaction", T0).open)
    assert not low.flashing()


def test_escalation_after_two_minutes_unacknowledged_high_only() -> None:
    alert = _stored(decide(None, 1, AlertPriority.HIGH, "anaphylaxis", T0).open)
    assert alert.unacknowledged_for(_s(119)) == timedelta(seconds=119)
    assert not alert.escalated(_s(119), POLICY)
    assert alert.escalated(_s(120), POLICY)
    assert not alert.escalated(_s(60), AlertPolicy(escalate_after_s=90))
    assert alert.escalated(_s(90), AlertPolicy(escalate_after_s=90))
    acked = acknowledge(alert, "Nurse A", _s(100), AlertPriority.HIGH)
    assert acked.unacknowledged_for(_s(200)) is None
    assert not acked.escalated(_s(600), POLICY)
    medium = _stored(decide(None, 1, AlertPriority.MEDIUM, "moderate_reaction", T0).open)
    assert not medium.escalated(_s(600), POLICY)
    assert replace(medium, escalated_by_nurse=True).escalated(_s(1), POLICY)
    closed = replace(alert, state=AlertState.RESOLVED, escalated_by_nurse=True)
    assert not closed.escalated(_s(600), POLICY)


def test_policy_refuses_non_positive_times() -> None:
    with pytest.raises(ValueError, match="positive"):
        AlertPolicy(escalate_after_s=0)


def test_unit_summary_text() -> None:
    high = _stored(decide(None, 1, AlertPriority.HIGH, "anaphylaxis", T0).open)
    medium = _stored(decide(None, 2, AlertPriority.MEDIUM, "moderate_reaction", T0).open, 2)
    low = _stored(decide(None, 3, AlertPriority.LOW, "mild_reaction", T0).open, 3)
    closed = replace(low, id=4, state=AlertState.RESOLVED)
    summary = summarise([high, medium, low, closed], _s(130), POLICY)
    assert summary.text == "!!! 1 HIGH · !! 1 MEDIUM · ! 1 LOW · escalated"
    assert summary.worst is AlertPriority.HIGH and summary.unacknowledged == 3
    assert summarise([], T0, POLICY).text == ""
    assert summarise([], T0, POLICY).worst is None
    assert summarise([medium], T0, POLICY).worst is AlertPriority.MEDIUM
    assert summarise([low], T0, POLICY).worst is AlertPriority.LOW
    two = summarise([high, replace(high, id=9)], _s(130), POLICY)
    assert two.text == "!!! 2 HIGH · 2 escalated"


def test_condition_labels() -> None:
    from infusion_monitor.domain.alerts import condition_label

    assert condition_label("anaphylaxis") == "Anaphylaxis criteria met"
    assert condition_label("new_site_pathway") == "New site pathway"
