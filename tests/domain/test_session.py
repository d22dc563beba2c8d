"""Session lifecycle: legal and illegal transitions, step checks, and timers from stored events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.protocol import DrugProtocol, Observation
from infusion_monitor.domain.protocol_library import load_library
from infusion_monitor.domain.session import (
    EventKind,
    RateStep,
    Session,
    SessionError,
    SessionEvent,
    SessionState,
    reaction_onset,
)
from infusion_monitor.domain.timing import format_duration

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RITUXIMAB = load_library().get("rituximab-first").protocol


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def record(session: Session, event: SessionEvent) -> Session:
    """What a service does: store the event, then recompute the session from the stored list."""
    return Session.replay(session.protocol, session.cycle, (*session.events, event))


def started(protocol: DrugProtocol = RITUXIMAB, minute: float = 0) -> Session:
    planned = Session.replay(protocol, 1)
    return record(planned, planned.start(at(minute), has_baseline=True, baseline_warning=False))


def without_observation(protocol: DrugProtocol) -> DrugProtocol:
    return protocol.model_copy(update={"observation": Observation(minutes=0)})


def test_full_lifecycle_with_observation() -> None:
    session = started()
    assert session.state is SessionState.RUNNING and session.rate == 50
    session = record(session, session.pause(at(10), "patient to the bathroom"))
    assert session.state is SessionState.PAUSED
    session = record(session, session.resume(at(15)))
    session = record(session, session.change_rate(at(40), 100, latest_vitals_at=at(36)))
    assert session.rate == 100
    session = record(session, session.complete(at(120)))
    assert session.state is SessionState.COMPLETED
    session = record(session, session.start_observation(at(120)))
    assert session.state is SessionState.OBSERVATION
    assert session.observation_left(at(150)) == minutes(30)
    session = record(session, session.close(at(180)))
    assert session.state is SessionState.CLOSED
    assert [event.kind for event in session.events] == [
        EventKind.START,
        EventKind.PAUSE,
        EventKind.RESUME,
        EventKind.RATE_CHANGE,
        EventKind.COMPLETE,
        EventKind.OBSERVATION_START,
        EventKind.CLOSE,
    ]


@pytest.mark.parametrize(
    ("events", "action", "message"),
    [
        (
            [EventKind.COMPLETE],
            lambda s: s.pause(at(60), "x"),
            "Cannot pause: the infusion is not running (state: completed).",
        ),
        ([], lambda s: s.resume(at(5)), "Cannot resume: it is not paused (state: running)."),
        ([], lambda s: s.start_observation(at(5)), "Cannot start observation: the infusion has"),
        (
            [EventKind.PAUSE],
            lambda s: s.complete(at(60)),
            "Cannot complete: the infusion is not running (state: paused).",
        ),
        (
            [EventKind.PAUSE],
            lambda s: s.change_rate(at(60), 40, latest_vitals_at=None),
            "Cannot change the rate: the infusion is not running (state: paused).",
        ),
        (
            [],
            lambda s: s.start(at(60), has_baseline=True, baseline_warning=False),
            "Cannot start: it has already started (state: running).",
        ),
    ],
)
def test_illegal_transitions_name_the_action_and_state(
    events: list[EventKind], action: object, message: str
) -> None:
    session = started()
    for kind in events:
        reason = "reaction" if kind is EventKind.PAUSE else None
        session = session.apply(SessionEvent(kind, at(30), reason=reason))
    with pytest.raises(SessionError) as caught:
        action(session)  # type: ignore[operator]
    assert str(caught.value).startswith(message)


def test_a_closed_session_refuses_everything() -> None:
    session = started(without_observation(RITUXIMAB))
    session = record(session, session.complete(at(60)))
    session = record(session, session.close(at(61)))
    with pytest.raises(SessionError, match=r"Cannot close: the session is closed \(state: closed"):
        session.close(at(62))


def test_pause_and_discontinue_need_a_reason() -> None:
    session = started()
    with pytest.raises(SessionError, match="Cannot pause: a reason is required"):
        session.apply(SessionEvent(EventKind.PAUSE, at(5)))
    with pytest.raises(SessionError, match="Cannot pause: the reason is blank"):
        session.pause(at(5), "   ")
    with pytest.raises(SessionError, match="Cannot discontinue: a reason is required"):
        session.apply(SessionEvent(EventKind.DISCONTINUE, at(5)))
    paused = record(session, session.pause(at(5), "reaction: flushing"))
    stopped = record(paused, paused.discontinue(at(20), "grade 3 reaction"))
    assert stopped.state is SessionState.DISCONTINUED
    assert stopped.events[-1].reason == "grade 3 reaction"


def test_start_needs_a_baseline_and_an_acknowledged_news2_warning() -> None:
    planned = Session.replay(RITUXIMAB, 1)
    with pytest.raises(
        SessionError, match=r"no baseline vital signs\. Record a baseline set first"
    ):
        planned.start(at(0), has_baseline=False, baseline_warning=False)
    with pytest.raises(SessionError, match="baseline NEWS2 warning is not acknowledged"):
        planned.start(at(0), has_baseline=True, baseline_warning=True)
    event = planned.start(
        at(0), has_baseline=True, baseline_warning=True, acknowledgement="habitual SpO2 92%"
    )
    assert event.reason == "habitual SpO2 92%"
    assert event.rate == 50  # the protocol's starting rate


def test_no_rate_above_the_protocol_maximum() -> None:
    planned = Session.replay(RITUXIMAB, 1)
    with pytest.raises(SessionError, match="500 mg/h is above the protocol maximum of 400 mg/h"):
        planned.start(at(0), has_baseline=True, baseline_warning=False, rate=500)
    with pytest.raises(SessionError, match="the rate must be above 0"):
        started().change_rate(at(5), 0, latest_vitals_at=None)


def test_a_rate_step_is_due_after_30_running_minutes() -> None:
    session = started()
    assert session.next_rate_step(at(29)) == RateStep(100, minutes(1))
    step = session.next_rate_step(at(30))
    assert step is not None and step.due and step.rate == 100
    session = record(session, session.change_rate(at(31), 100, latest_vitals_at=at(28)))
    assert session.next_rate_step(at(31)) == RateStep(150, minutes(30))


def test_a_pause_holds_the_step_timer() -> None:
    session = started()
    session = record(session, session.pause(at(20), "reaction"))
    assert session.next_rate_step(at(50)) == RateStep(100, minutes(10))
    session = record(session, session.resume(at(50), rate=25))
    assert session.time_at_rate(at(55)) == minutes(5)
    assert session.next_rate_step(at(55)) == RateStep(75, minutes(25))


def test_no_step_at_the_maximum_or_without_escalation() -> None:
    session = started()
    for step in range(1, 8):  # 50 mg/h up by 50 every 30 min to 400
        minute, rate = 30 * step, 50 + 50 * step
        session = record(
            session, session.change_rate(at(minute), rate, latest_vitals_at=at(minute))
        )
    assert session.next_rate_step(at(300)) is None
    assert started(load_library().get("paclitaxel").protocol).next_rate_step(at(60)) is None


def test_a_rate_increase_follows_the_protocol_step_and_no_symptoms() -> None:
    session = started()
    with pytest.raises(SessionError, match=r"next step from 50 is 100 mg/h, not 400"):
        session.change_rate(at(30), 400, latest_vitals_at=at(30))
    with pytest.raises(SessionError, match="only without infusion-reaction symptoms"):
        session.change_rate(at(30), 100, latest_vitals_at=at(30), reaction_active=True)
    assert session.change_rate(at(30), 100, latest_vitals_at=at(30)).rate == 100
    assert session.change_rate(at(30), 25, latest_vitals_at=None, reaction_active=True).rate == 25
    paused = record(session, session.pause(at(31), "flushing"))
    with pytest.raises(SessionError, match="only without infusion-reaction symptoms"):
        paused.resume(at(40), rate=100, latest_vitals_at=at(40), reaction_active=True)


def test_the_latest_reaction_began_at_the_first_assessment_of_its_run() -> None:
    assert reaction_onset([]) is None
    assert reaction_onset([(at(0), False), (at(5), False)]) is None
    seen = [(at(0), False), (at(5), True), (at(8), True), (at(20), False), (at(30), True)]
    assert reaction_onset(seen) == at(30)
    assert reaction_onset(seen[:4]) == at(5)


@pytest.mark.parametrize(
    ("protocol_id", "source"),
    [
        ("rituximab-first", "Rituxan label"),
        ("rituximab-later", "Rituxan label"),
        ("daratumumab-first", "Darzalex label"),
        ("daratumumab-second", "Darzalex label"),
        ("daratumumab-later", "Darzalex label"),
    ],
)
def test_the_labels_restart_limit_is_protocol_data_with_its_source(
    protocol_id: str, source: str
) -> None:
    plan = load_library().get(protocol_id).protocol.rate
    assert plan is not None and plan.restart_after_reaction is not None
    assert plan.restart_after_reaction.max_fraction == 0.5
    assert plan.restart_after_reaction.source.startswith(source)


def test_the_first_restart_after_a_reaction_is_at_most_half_the_rate_it_began_at() -> None:
    session = started()
    session = record(session, session.change_rate(at(30), 100, latest_vitals_at=at(30)))
    paused = record(session, session.pause(at(41), "flushing"))
    onset = at(40)
    limit = paused.restart_limit(onset)
    assert limit is not None and (limit.reaction_rate, limit.max_rate) == (100, 50)
    assert paused.restart_limit(None) is None
    assert paused.restart_limit(at(10)).max_rate == 25  # type: ignore[union-attr]
    with pytest.raises(SessionError, match=r"restart at no more than 50 mg/h \(Rituxan label"):
        paused.resume(at(60), reaction_began_at=onset)
    with pytest.raises(SessionError, match="60 mg/h is above the restart limit"):
        paused.resume(at(60), rate=60, reaction_began_at=onset)
    assert paused.resume(at(60), rate=50, reaction_began_at=onset).reason is None
    overridden = paused.resume(at(60), rate=100, reaction_began_at=onset, override="Dr Lee")
    assert overridden.reason == "Dr Lee"
    assert paused.resume(at(60), rate=40, reaction_began_at=onset, override="typed").reason is None
    restarted = record(paused, paused.resume(at(60), rate=50, reaction_began_at=onset))
    again = record(restarted, restarted.pause(at(70), "bathroom"))
    assert again.restart_limit(onset) is None  # already restarted: titration follows the steps
    no_limit = started(load_library().get("carboplatin").protocol)
    assert record(no_limit, no_limit.pause(at(5), "flushing")).restart_limit(at(4)) is None


def test_a_rate_increase_needs_vitals_from_the_last_15_minutes() -> None:
    session = started()
    with pytest.raises(
        SessionError, match=r"no vital signs recorded by a nurse\. Take a set of vital signs"
    ):
        session.change_rate(at(30), 100, latest_vitals_at=None)
    with pytest.raises(
        SessionError, match=r"the latest nurse.s vital signs are 16 min old\. Take a new set"
    ):
        session.change_rate(at(30), 100, latest_vitals_at=at(14))
    assert session.change_rate(at(30), 100, latest_vitals_at=at(15)).rate == 100
    assert (
        session.change_rate(at(30), 25, latest_vitals_at=None).rate == 25
    )  # slowing: never blocked
    paused = record(session, session.pause(at(31), "chills"))
    with pytest.raises(SessionError, match=r"Cannot resume: the latest nurse.s vital signs are"):
        paused.resume(at(60), rate=100, latest_vitals_at=at(40))


def test_restarted_37_minutes_later_shows_37_00_and_32_00_with_a_pause() -> None:
    clock = FakeClock(T0)
    session = started()
    stored = session.events
    clock.advance(minutes(37))
    assert format_duration(Session.replay(RITUXIMAB, 1, stored).infusion_time(clock.now())) == (
        "37:00"
    )
    paused = (
        *stored,
        SessionEvent(EventKind.PAUSE, at(10), reason="bathroom"),
        SessionEvent(EventKind.RESUME, at(15)),
    )
    after_restart = Session.replay(RITUXIMAB, 1, paused)
    assert format_duration(after_restart.infusion_time(clock.now())) == "32:00"
    clock.advance(minutes(35))
    assert format_duration(after_restart.infusion_time(clock.now())) == "1:07:00"


def test_a_clock_jumping_backwards_shows_no_negative_or_inflated_time() -> None:
    session = started()
    session = record(session, session.change_rate(at(30), 100, latest_vitals_at=at(29)))
    # The workstation clock is set back to 10 minutes before the start.
    early = at(-10)
    assert session.infusion_time(early) == timedelta(0)
    assert session.time_at_rate(early) == timedelta(0)
    step = session.next_rate_step(early)
    assert step is not None and step.due_in == minutes(30)
    ended = record(session, session.complete(at(60)))
    observing = record(ended, ended.start_observation(at(60)))
    assert observing.observation_left(at(0)) == minutes(60)
    assert observing.infusion_time(at(45)) == minutes(45)


def test_stored_times_out_of_order_keep_time_monotonic() -> None:
    events = (
        SessionEvent(EventKind.START, at(0), rate=50),
        SessionEvent(EventKind.PAUSE, at(30), reason="bathroom"),
        SessionEvent(EventKind.RESUME, at(20)),  # stamped after the clock jumped back
    )
    session = Session.replay(RITUXIMAB, 1, events)
    assert session.infusion_time(at(25)) == minutes(25)
    assert session.infusion_time(at(40)) == minutes(40)


def test_observation_is_counted_and_cut_short_only_with_a_reason() -> None:
    session = started()
    session = record(session, session.discontinue(at(45), "grade 2 reaction, not resolved"))
    with pytest.raises(
        SessionError, match=r"observation has not been done\. Start the observation"
    ):
        session.close(at(46))
    observing = record(session, session.start_observation(at(46)))
    assert observing.observation_left(at(76)) == minutes(30)
    assert observing.observation_left(at(200)) == timedelta(0)
    with pytest.raises(SessionError, match="Cannot close: observation has 30 min left"):
        observing.close(at(76))
    assert observing.close(at(76), reason="transferred to the emergency department").kind == (
        EventKind.CLOSE
    )
    assert observing.close(at(106)).reason is None
    skipped = session.close(at(46), reason="patient declined to stay")
    assert record(session, skipped).observation_left(at(50)) is None


def test_a_protocol_without_observation_closes_directly() -> None:
    session = started(without_observation(RITUXIMAB))
    session = record(session, session.complete(at(90)))
    with pytest.raises(SessionError, match="this protocol has no observation period"):
        session.start_observation(at(90))
    assert record(session, session.close(at(91))).state is SessionState.CLOSED


def test_replay_refuses_an_illegal_stored_history() -> None:
    with pytest.raises(SessionError, match="Cannot resume: it is not paused"):
        Session.replay(
            RITUXIMAB,
            1,
            [SessionEvent(EventKind.START, at(0), rate=50), SessionEvent(EventKind.RESUME, at(1))],
        )
    with pytest.raises(ValueError, match="timezone-aware"):
        Session.replay(RITUXIMAB, 1, [SessionEvent(EventKind.START, datetime(2026, 1, 1))])
