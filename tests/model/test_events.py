"""The model's event emitter: one broken subscriber never keeps an alarm off another screen."""

from __future__ import annotations

import pytest

from infusion_monitor.model.events import Emitter


def test_a_failing_subscriber_is_reported_after_the_others_heard_the_event(
    caplog: pytest.LogCaptureFixture,
) -> None:
    heard: list[int] = []
    alerts = Emitter[int]("alert_changed")

    def broken(_session_id: int) -> None:
        raise RuntimeError("a closed panel")

    alerts.connect(broken)
    alerts.connect(heard.append)
    with pytest.raises(RuntimeError, match="a closed panel"):
        alerts.emit(7)
    assert heard == [7]  # the header still heard it
    assert "a subscriber of alert_changed failed" in caplog.text


def test_disconnect_stops_the_calls_and_ignores_a_stranger() -> None:
    heard: list[int] = []
    vitals = Emitter[int]("vitals_changed")
    vitals.connect(heard.append)
    vitals.disconnect(print)  # never connected: nothing happens
    vitals.emit(1)
    vitals.disconnect(heard.append)
    vitals.emit(2)
    assert heard == [1]
