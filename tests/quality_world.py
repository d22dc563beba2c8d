"""A small hand-built unit for the quality measures, every row placed by hand (times in UTC).

Four finished sessions in January and February 2026 (two nurses), twenty quiet docetaxel
sessions (so one cell of the reaction table is not a small number), and two sessions that must
not count (one in March, outside the period; one still running). The tests work out the right
answers from the comments here.

- S1 Ann · Rituximab C1 · 5 Jan: start 09:00, complete 11:00, observation 11:00, close 11:30.
  Sets 08:55 09:15 09:30 09:45 | 10:15 10:45 | 11:15 (+ a correction of 09:15, not counted).
  Late set 10:45 (due 10:30, clinical emergency); skipped check due 11:25 (patient off unit).
  Line-site reaction 09:30 (not a reaction symptom); flushing 09:40 (+ its resolution row),
  urticaria 09:42. Paused 09:43, provider notified 09:46, H1 antihistamine 09:50, corticosteroid
  DECLINED 09:52 ("Settled with antihistamine"), resumed 10:05, completed 11:00.
  Reaction record: infusion related reaction G2 (rules: same, G2), restarted at a reduced rate.
  Alert MEDIUM raised 09:41, acknowledged 09:42:30 (90 s).
- S2 Bob · Carboplatin C8 · 6 Jan: start 14:00, close 15:00. Sets 13:55 14:10 14:16.
  Urticaria 14:10, wheeze 14:11; discontinued 14:12; "Escalate anyway" 14:12; H1 antihistamine
  14:13; emergency team called 14:14; epinephrine IM 14:15. Reaction record anaphylaxis G3
  (rules: anaphylaxis G3), then amended by the nurse to G4; transferred.
  Alert HIGH raised 14:11, acknowledged 14:14 (180 s: escalated, and a nurse escalated it).
- S3 Ann · Rituximab C2 · 2 Feb: start 16:00, complete and observation 17:00, close 17:31.
  Sets 15:55 16:15 16:30 16:59. Alert LOW 16:20 never acknowledged (resolved 16:40);
  alert HIGH 16:50, acknowledged 16:51 (60 s).
- S4 Bob · Rituximab C1 · 3 Feb: start 09:00, complete and observation 10:00, close 10:31.
  Sets 08:55 09:30; check due 09:45 skipped (patient refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.services.review.quality_facts import QualitySettings
from infusion_monitor.storage import models

SETTINGS = QualitySettings(
    target_pct=95.0,
    escalate_after_s=120,
    shifts=(("Day", time(7)), ("Evening", time(15)), ("Night", time(23))),
    zone=UTC,
)
SINCE = datetime(2026, 1, 1, tzinfo=UTC)
UNTIL = datetime(2026, 3, 1, tzinfo=UTC)


def at(day: int, clock: str, month: int = 1, second: int = 0) -> datetime:
    """``at(5, "09:40")``: 5 January 2026 09:40 UTC."""
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime(2026, month, day, hours, minutes, second, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    """The session ids of the hand-built unit."""

    s1: int
    s2: int
    s3: int
    s4: int
    quiet: tuple[int, ...]
    nurses: dict[str, int]


class _Builder:
    def __init__(self, db: Session) -> None:
        self.db = db
        self.nurses = {
            name: self._add(models.Nurse(staff_id=f"Q{i}", name=name, role="nurse", pin_hash=None))
            for i, name in enumerate(("Ann Able", "Bob Baker"), start=1)
        }
        self.chair = self._add(models.Chair(name="Chair 1", position=0))
        self.patients = 0

    def _add(self, row: Any) -> int:
        self.db.add(row)
        self.db.flush()
        return int(row.id)

    def session(
        self, nurse: str, drug: str, cycle: int, start: datetime, state: str = "closed"
    ) -> int:
        self.patients += 1
        patient = self._add(
            models.Patient(mrn=f"QW{self.patients:04d}", name=f"Patient {self.patients}")
        )
        sid = self._add(
            models.InfusionSession(
                patient_id=patient,
                chair_id=self.chair,
                nurse_id=self.nurses[nurse],
                protocol_id="generic",
                drug_name=drug,
                protocol_version="1",
                ruleset_name="default",
                ruleset_version="1",
                dose=100,
                dose_unit="mg",
                rate=None,
                rate_unit=None,
                planned_duration_min=60,
                cycle=cycle,
                first_dose=cycle == 1,
                prior_reaction_to_drug=False,
                state=state,
                created_at=start - timedelta(minutes=10),
                updated_at=start,
            )
        )
        if state == "closed":
            self.event(sid, "start", start)
        return sid

    def by(self, sid: int) -> int:
        row = self.db.get(models.InfusionSession, sid)
        assert row is not None
        return row.nurse_id

    def event(self, sid: int, kind: str, when: datetime, **payload: Any) -> None:
        self._add(
            models.SessionEvent(
                session_id=sid, type=kind, at=when, payload=payload, author_id=self.by(sid)
            )
        )

    def note(self, sid: int, kind: str, when: datetime, due: datetime, reason: str) -> None:
        self.event(sid, "note", when, note=kind, reason=reason, due_at=due.isoformat())

    def sets(self, sid: int, *times: datetime) -> list[int]:
        return [
            self._add(
                models.VitalSigns(
                    session_id=sid,
                    taken_at=when,
                    entered_at=when,
                    entered_by_id=self.by(sid),
                    source="typed",
                    heart_rate=80,
                )
            )
            for when in times
        ]

    def symptom(self, sid: int, code: str, onset: datetime, amends: int | None = None) -> int:
        return self._add(
            models.SymptomRecord(
                session_id=sid,
                code=code,
                onset_at=onset,
                resolved_at=None if amends is None else onset + timedelta(minutes=20),
                recorded_at=onset,
                recorded_by_id=self.by(sid),
                amends_id=amends,
                amend_reason=None if amends is None else "resolved",
            )
        )

    def step(
        self,
        sid: int,
        action: str,
        when: datetime,
        declined: str | None = None,
        alert: int | None = None,
    ) -> None:
        self._add(
            models.Intervention(
                session_id=sid,
                alert_id=alert,
                action=action,
                at=when,
                by_id=self.by(sid),
                declined_reason=declined,
            )
        )

    def alert(
        self,
        sid: int,
        priority: str,
        raised: datetime,
        acked: datetime | None,
        resolved: datetime,
    ) -> int:
        return self._add(
            models.Alert(
                session_id=sid,
                condition="mild_reaction",
                priority=priority,
                state="resolved",
                raised_at=raised,
                acknowledged_at=acked,
                acknowledged_by_id=None if acked is None else self.by(sid),
                resolved_at=resolved,
            )
        )

    def reaction(self, sid: int, onset: datetime, amends: int | None = None, **fields: Any) -> int:
        row = self.db.get(models.InfusionSession, sid)
        assert row is not None
        values: dict[str, Any] = {
            "session_id": sid,
            "patient_id": row.patient_id,
            "drug_name": row.drug_name,
            "onset_at": onset,
            "resolved_at": onset + timedelta(minutes=20),
            "restarted_at": None,
            "restart_rate": None,
            "flag_next_session": True,
            "recorded_at": onset + timedelta(minutes=30),
            "recorded_by_id": row.nurse_id,
            "amends_id": amends,
            "amend_reason": None if amends is None else "grade corrected",
            **fields,
        }
        return self._add(models.ReactionRecord(**values))


def build(sessions: sessionmaker[Session]) -> World:
    """Write the hand-built unit (see the module docstring) and return its session ids."""
    with sessions.begin() as db:
        b = _Builder(db)
        s1 = b.session("Ann Able", "Rituximab", 1, at(5, "09:00"))
        first = b.sets(s1, *(at(5, t) for t in ("08:55", "09:15", "09:30", "09:45")))
        b.sets(s1, at(5, "10:15"), at(5, "10:45"), at(5, "11:15"))
        db.add(
            models.VitalSigns(
                session_id=s1,
                taken_at=at(5, "09:15"),
                entered_at=at(5, "09:20"),
                entered_by_id=b.by(s1),
                source="typed",
                heart_rate=82,
                amends_id=first[1],
                amend_reason="Typing error",
            )
        )
        b.note(s1, "vitals_late", at(5, "10:45"), at(5, "10:30"), "clinical_emergency")
        b.note(s1, "vitals_skipped", at(5, "11:26"), at(5, "11:25"), "patient_off_unit")
        b.symptom(s1, "site_reaction", at(5, "09:30"))
        flushing = b.symptom(s1, "flushing", at(5, "09:40"))
        b.symptom(s1, "flushing", at(5, "09:40"), amends=flushing)
        b.symptom(s1, "urticaria", at(5, "09:42"))
        b.event(s1, "pause", at(5, "09:43"))
        b.step(s1, "notify_provider", at(5, "09:46"))
        b.step(s1, "antihistamine_h1", at(5, "09:50"))
        b.step(s1, "corticosteroid", at(5, "09:52"), declined="Settled with antihistamine")
        b.event(s1, "resume", at(5, "10:05"))
        b.event(s1, "complete", at(5, "11:00"))
        b.event(s1, "observation_start", at(5, "11:00"))
        b.event(s1, "close", at(5, "11:30"))
        b.alert(s1, "medium", at(5, "09:41"), at(5, "09:42", second=30), at(5, "10:30"))
        b.reaction(
            s1,
            at(5, "09:40"),
            ctcae_term="infusion_related_reaction",
            ctcae_grade=2,
            suggested_term="infusion_related_reaction",
            suggested_grade=2,
            disposition="restarted_reduced",
            restarted_at=at(5, "10:05"),
            restart_rate=50,
        )

        s2 = b.session("Bob Baker", "Carboplatin", 8, at(6, "14:00"))
        b.sets(s2, at(6, "13:55"), at(6, "14:10"), at(6, "14:16"))
        b.symptom(s2, "urticaria", at(6, "14:10"))
        b.symptom(s2, "wheeze", at(6, "14:11"))
        high = b.alert(s2, "high", at(6, "14:11"), at(6, "14:14"), at(6, "14:40"))
        b.event(s2, "discontinue", at(6, "14:12"))
        b.step(s2, "escalate", at(6, "14:12"), alert=high)
        b.step(s2, "antihistamine_h1", at(6, "14:13"))
        b.step(s2, "call_emergency_team", at(6, "14:14"))
        b.step(s2, "epinephrine_im", at(6, "14:15"))
        b.event(s2, "close", at(6, "15:00"))
        anaphylaxis = {
            "ctcae_term": "anaphylaxis",
            "suggested_term": "anaphylaxis",
            "suggested_grade": 3,
            "disposition": "transferred",
        }
        original = b.reaction(s2, at(6, "14:10"), ctcae_grade=3, **anaphylaxis)
        b.reaction(s2, at(6, "14:10"), amends=original, ctcae_grade=4, **anaphylaxis)

        s3 = b.session("Ann Able", "Rituximab", 2, at(2, "16:00", month=2))
        b.sets(s3, *(at(2, t, month=2) for t in ("15:55", "16:15", "16:30", "16:59")))
        b.alert(s3, "low", at(2, "16:20", month=2), None, at(2, "16:40", month=2))
        b.alert(
            s3, "high", at(2, "16:50", month=2), at(2, "16:51", month=2), at(2, "16:58", month=2)
        )
        b.event(s3, "complete", at(2, "17:00", month=2))
        b.event(s3, "observation_start", at(2, "17:00", month=2))
        b.event(s3, "close", at(2, "17:31", month=2))

        s4 = b.session("Bob Baker", "Rituximab", 1, at(3, "09:00", month=2))
        b.sets(s4, at(3, "08:55", month=2), at(3, "09:30", month=2))
        skipped_at, due = at(3, "09:50", month=2), at(3, "09:45", month=2)
        b.note(s4, "vitals_skipped", skipped_at, due, "patient_refused")
        b.event(s4, "complete", at(3, "10:00", month=2))
        b.event(s4, "observation_start", at(3, "10:00", month=2))
        b.event(s4, "close", at(3, "10:31", month=2))

        quiet = tuple(
            b.session("Bob Baker", "Docetaxel", 3, at(10 + n % 15, "12:00", month=2))
            for n in range(20)
        )
        outside = b.session("Ann Able", "Rituximab", 1, at(10, "09:00", month=3))
        b.alert(outside, "high", at(10, "09:10", month=3), None, at(10, "09:30", month=3))
        running = b.session("Ann Able", "Rituximab", 1, at(20, "09:00", month=2), "running")
        b.alert(running, "high", at(20, "09:10", month=2), None, at(20, "09:30", month=2))
        return World(s1, s2, s3, s4, quiet, dict(b.nurses))
