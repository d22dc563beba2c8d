"""The trend plot's events read as words: guidance steps by the rule set's text, drugs by label."""

from __future__ import annotations

from datetime import timedelta

from care_world import RULES, case, running_chair
from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.services.vitals.trend import VitalsTrendService
from infusion_monitor.storage.database import Database
from session_helpers import NURSE, T0


def test_done_steps_and_drugs_are_labelled_in_words_never_codes(database: Database) -> None:
    data = case("V03")
    chair = running_chair(database, FakeClock(T0), data)
    sid = chair.session_id
    chair.clock.advance(timedelta(minutes=5))
    chair.care.care.record_symptom(NURSE, sid, "urticaria")
    chair.care.care.record_symptom(NURSE, sid, "wheeze")
    chair.care.care.mark_step_done(NURSE, sid, "call_emergency_team")
    chair.care.care.mark_step_done(NURSE, sid, "epinephrine_im")

    labels = [
        e.label for e in VitalsTrendService(database.sessions, lambda: RULES).trend(sid).events
    ]
    assert "Done: Call the emergency (rapid response) team now" in labels
    assert not any("_" in label for label in labels), labels


def test_symptom_marks_follow_corrections_and_drop_entries_made_in_error(
    database: Database,
) -> None:
    data = case("V03")
    chair = running_chair(database, FakeClock(T0), data)
    sid = chair.session_id
    care = chair.care.care
    chair.clock.advance(timedelta(minutes=20))
    care.record_symptom(NURSE, sid, "urticaria")
    care.record_symptom(NURSE, sid, "flushing")
    picture = care.picture(sid)
    urticaria = next(s for s in picture.symptoms if s.code == "urticaria")
    flushing = next(s for s in picture.symptoms if s.code == "flushing")
    care.amend_symptom(
        NURSE, urticaria.id, onset_at=urticaria.onset_at - timedelta(minutes=10), reason="onset"
    )
    care.amend_symptom(NURSE, flushing.id, reason="entered in error")
    care.resolve_symptom(NURSE, next(s.id for s in care.picture(sid).symptoms))

    trend = VitalsTrendService(database.sessions, lambda: RULES).trend(sid)
    marks = [(e.t_min, e.label) for e in trend.events if e.kind == "symptom"]
    corrected = urticaria.onset_at - timedelta(minutes=10)
    assert marks == [((corrected - trend.start).total_seconds() / 60, "Hives (urticaria)")]
