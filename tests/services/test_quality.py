"""Quality measures on a hand-built unit (``quality_world``), on SQLite and PostgreSQL.

Every expected figure is worked out here from the rows the world places by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from backends import Backend
from infusion_monitor.domain.clock import SystemClock
from infusion_monitor.domain.users import Actor, PermissionDenied, Role
from infusion_monitor.paths import AppPaths
from infusion_monitor.services.review.gate import ReviewService
from infusion_monitor.services.review.quality import QualityService
from infusion_monitor.services.review.quality_measures import (
    BELOW_TARGET,
    SMALL_N,
    QualityReport,
    nearest_rank,
)
from infusion_monitor.services.review.query import SessionFilter, SortKey
from infusion_monitor.storage.database import open_database
from quality_world import SETTINGS, SINCE, UNTIL, World, build

CHARGE = Actor("Q9", "Cy Charge", Role.CHARGE_NURSE)
NURSE = Actor("Q1", "Ann Able", Role.NURSE)


@pytest.fixture
def unit(backend: Backend, data_dir: Path) -> Iterator[tuple[QualityService, World]]:
    """The hand-built unit on the backend, and the quality service over it."""
    with open_database(backend.url, AppPaths.resolve(data_dir)) as database:
        world = build(database.sessions)
        yield QualityService(database.sessions, SETTINGS), world


@pytest.fixture
def report(unit: tuple[QualityService, World]) -> QualityReport:
    """January and February 2026, every drug, nurse and chair."""
    service, _ = unit
    return service.report(CHARGE, SessionFilter(since=SINCE, until=UNTIL))


def shown(report: QualityReport, table: str, labels: tuple[str, ...]) -> list[str]:
    """The figures of one row as the page shows them."""
    return [f.shown for f in report.table(table).row(*labels).figures]


def test_only_charge_nurses_read_the_measures(unit: tuple[QualityService, World]) -> None:
    service, _ = unit
    with pytest.raises(PermissionDenied):
        service.report(NURSE, SessionFilter(since=SINCE, until=UNTIL))


def test_the_period_holds_the_finished_sessions_only(report: QualityReport) -> None:
    # S1-S4 and the 20 docetaxel sessions; not March's, not the running one.
    assert report.sessions == 24
    assert report.period == "01 Jan 2026 to 28 Feb 2026"
    assert report.filters == "all drugs, nurses and chairs"


def test_alarm_response_per_priority_for_the_unit(report: QualityReport, unit: Any) -> None:
    _, w = unit
    table = report.table("alarm_unit")
    # HIGH: S2 180 s, S3 60 s -> median 120 s, nearest-rank p90 = 2nd of 2 = 180 s, max 180 s;
    # S2's waited 180 s >= 120 s and a nurse escalated it: one escalation.
    assert shown(report, "alarm_unit", ("!!! HIGH",)) == [
        "2", "2 min 00 s †", "3 min 00 s †", "3 min 00 s", "0", "1",
    ]  # fmt: skip
    assert table.figure(("!!! HIGH",), "Longest to ack").sessions == (w.s2,)
    assert table.figure(("!!! HIGH",), "Escalated to unit").sessions == (w.s2,)
    assert shown(report, "alarm_unit", ("!! MEDIUM",)) == [
        "1", "1 min 30 s †", "1 min 30 s †", "1 min 30 s", "0", "0",
    ]  # fmt: skip
    # LOW: S3's never acknowledged; a low alert is never escalated by waiting.
    assert shown(report, "alarm_unit", ("! LOW",)) == ["1", "—", "—", "—", "1", "0"]
    assert table.figure(("! LOW",), "Never acknowledged").sessions == (w.s3,)
    # All: delays 90, 180, 60 -> median 90 s, p90 = 3rd of 3 = 180 s.
    assert shown(report, "alarm_unit", ("All priorities",)) == [
        "4", "1 min 30 s †", "3 min 00 s †", "3 min 00 s", "1", "1",
    ]  # fmt: skip


def test_alarm_response_per_nurse_shift_and_month(report: QualityReport) -> None:
    # Ann: S1 medium 90 s, S3 low never, S3 high 60 s; Bob: S2 high 180 s.
    assert shown(report, "alarm_nurse", ("Ann Able", "All priorities"))[:2] == ["3", "1 min 15 s †"]
    assert shown(report, "alarm_nurse", ("Bob Baker", "!!! HIGH"))[-1] == "1"
    # Raised 09:41 and 14:11 (Day), 16:20 and 16:50 (Evening, UTC here).
    assert shown(report, "alarm_shift", ("Day", "All priorities"))[0] == "2"
    assert shown(report, "alarm_shift", ("Evening", "All priorities"))[4] == "1"
    assert report.table("alarm_shift").rows[0].labels == ("Day", "!!! HIGH")
    assert shown(report, "alarm_month", ("2026-01", "All priorities"))[0] == "2"
    assert shown(report, "alarm_month", ("2026-02", "! LOW"))[4] == "1"


def test_reaction_response_by_severity_with_epinephrine_apart(
    report: QualityReport, unit: Any
) -> None:
    _, w = unit
    table = report.table("response_times")
    # S1 (G2): onset 09:40 (the 09:30 line-site reaction is not a reaction symptom),
    # paused 09:43, provider 09:46, H1 antihistamine 09:50.
    assert shown(report, "response_times", ("Grade 2", "Infusion stopped"))[:3] == [
        "1", "1", "3.0 min †",
    ]  # fmt: skip
    assert shown(report, "response_times", ("Grade 2", "Provider notified"))[2] == "6.0 min †"
    assert shown(report, "response_times", ("Grade 2", "First drug"))[2] == "10.0 min †"
    # S2 (anaphylaxis): onset 14:10, discontinued 14:12, escalated 14:12 (tells the unit),
    # epinephrine 14:15; the antihistamine at 14:13 is not its first drug.
    assert shown(report, "response_times", ("Anaphylaxis", "Infusion stopped"))[2] == "2.0 min †"
    assert shown(report, "response_times", ("Anaphylaxis", "Provider notified"))[2] == "2.0 min †"
    epinephrine = table.row("Anaphylaxis", "Epinephrine (first drug)").figures
    assert epinephrine[2].shown == "5.0 min †" and epinephrine[2].sessions == (w.s2,)
    assert ("Anaphylaxis", "First drug") not in [r.labels for r in table.rows]


def test_declined_steps_and_outcomes(report: QualityReport, unit: Any) -> None:
    _, w = unit
    declined = report.table("declined_steps")
    assert [(r.labels, r.figures[0].n) for r in declined.rows] == [
        (("Corticosteroid", "Settled with antihistamine"), 1)
    ]
    assert declined.rows[0].figures[0].sessions == (w.s1,)
    outcomes = report.table("outcomes")
    assert outcomes.figure(("Grade 2",), "Resolved, restarted at a reduced rate").n == 1
    assert outcomes.figure(("Grade 2",), "Restart completed").sessions == (w.s1,)
    assert outcomes.figure(("Grade 2",), "Restart not completed").n == 0
    assert outcomes.figure(("Anaphylaxis",), "Transferred").sessions == (w.s2,)
    assert outcomes.figure(("All reactions",), "Reactions").n == 2


def test_reactions_by_drug_cycle_and_grade_with_small_numbers_marked(
    report: QualityReport, unit: Any
) -> None:
    _, w = unit
    table = report.table("reactions_drug_cycle")
    # Rituximab C1: S1 (G2) and S4 -> 1 of 2 = 50.0 per 100, far too few to compare.
    assert shown(report, "reactions_drug_cycle", ("Rituximab", "1")) == [
        "2", "1", "50.0 †", "0", "1", "0", "0", "0", "0", "0.0 †",
    ]  # fmt: skip
    assert table.figure(("Rituximab", "1"), "Grade 2").sessions == (w.s1,)
    # Carboplatin C8 is pooled as 7+; its anaphylaxis is counted apart from the grades.
    assert shown(report, "reactions_drug_cycle", ("Carboplatin", "7+"))[1:] == [
        "0", "0.0 †", "0", "0", "0", "0", "0", "1", "100.0 †",
    ]  # fmt: skip
    # Twenty docetaxel C3 sessions: exactly SMALL_N, so no mark.
    quiet = table.figure(("Docetaxel", "3"), "Per 100")
    assert SMALL_N == 20 and (quiet.shown, quiet.n, quiet.small) == ("0.0", 20, False)
    assert quiet.sessions == tuple(sorted(w.quiet))
    assert shown(report, "reactions_drug", ("Rituximab",))[:3] == ["3", "1", "33.3 †"]


def test_agreement_of_the_nurse_grade_with_the_rules(report: QualityReport) -> None:
    # S1: G2 as suggested. S2: the amendment (newest record) says G4 where the rules said G3.
    assert shown(report, "grade_agreement", ("Same grade",)) == ["1", "50.0% †"]
    assert shown(report, "grade_agreement", ("Nurse graded higher",)) == ["1", "50.0% †"]
    assert shown(report, "grade_agreement", ("Nurse graded lower",)) == ["0", "0.0% †"]
    assert shown(report, "grade_agreement", ("Same CTCAE term",)) == ["2", "100.0% †"]
    assert shown(report, "grade_matrix", ("G2",)) == ["0", "1", "0", "0", "0"]
    assert shown(report, "grade_matrix", ("G3",)) == ["0", "0", "0", "1", "0"]


def test_vitals_on_time_for_the_unit_nurses_phases_drugs_and_reasons(
    report: QualityReport,
) -> None:
    # S1: 7 sets + 1 skipped = 8 checks, 1 late -> 6 on time. S2: 3 of 3. S3: 4 of 4.
    # S4: 2 sets + 1 skipped = 3 checks, 2 on time. Unit: 15 of 18 = 83.3%, below 95%.
    unit = report.table("on_time_unit").row("Unit").figures
    assert [f.shown for f in unit] == ["18", "83.3% †", "1", "2"]
    assert unit[1].note == BELOW_TARGET
    assert shown(report, "on_time_month", ("2026-01",))[:2] == ["11", "81.8% †"]
    assert shown(report, "on_time_month", ("2026-02",))[:2] == ["7", "85.7% †"]
    assert shown(report, "on_time_nurse", ("Ann Able",))[:2] == ["12", "83.3% †"]
    assert shown(report, "on_time_nurse_month", ("Bob Baker", "2026-02"))[:2] == ["3", "66.7% †"]
    # First hour: 4 + 3 + 4 + 2 sets (16:59 is still the first hour) + S4's skipped check.
    assert shown(report, "on_time_phase", ("First hour",)) == ["14", "92.9% †", "0", "1"]
    assert shown(report, "on_time_phase", ("Later in the infusion",)) == ["2", "50.0% †", "1", "0"]
    assert shown(report, "on_time_phase", ("Observation",)) == ["2", "50.0% †", "0", "1"]
    assert shown(report, "on_time_drug", ("Rituximab",))[:2] == ["15", "80.0% †"]
    assert shown(report, "on_time_drug", ("Carboplatin",))[:2] == ["3", "100.0% †"]
    reasons = {r.labels[0]: [f.n for f in r.figures] for r in report.table("missed_reasons").rows}
    assert reasons == {
        "Clinical emergency elsewhere": [1, 0],
        "Patient off the unit / bathroom": [0, 1],
        "Patient refused": [0, 1],
    }


def test_filters_narrow_every_measure_and_name_themselves(
    unit: tuple[QualityService, World],
) -> None:
    service, world = unit
    report = service.report(
        CHARGE, SessionFilter(since=SINCE, until=UNTIL, nurse_id=world.nurses["Bob Baker"])
    )
    assert report.filters == "nurse Bob Baker"
    assert report.sessions == 22  # S2, S4 and the docetaxel sessions
    assert [r.labels for r in report.table("alarm_nurse").rows][-1] == (
        "Bob Baker",
        "All priorities",
    )
    assert {r.labels[0] for r in report.table("alarm_nurse").rows} == {"Bob Baker"}
    march = service.report(
        CHARGE,
        SessionFilter(
            since=datetime(2026, 3, 1, tzinfo=UTC), until=datetime(2026, 4, 1, tzinfo=UTC)
        ),
    )
    # The March session: a HIGH alert never acknowledged, resolved 20 min later: escalated.
    assert march.sessions == 1
    assert shown(march, "alarm_unit", ("!!! HIGH",)) == ["1", "—", "—", "—", "1", "1"]


def test_nearest_rank() -> None:
    assert nearest_rank([5.0, 1.0, 3.0], 0.9) == 5.0
    assert nearest_rank([float(v) for v in range(1, 11)], 0.9) == 9.0
    assert nearest_rank([], 0.9) is None


def test_the_review_list_sorts_by_vitals_on_time_on_both_backends(
    backend: Backend, data_dir: Path
) -> None:
    # On time = (sets - late) / (sets + skipped), read in one pass over sets and notes:
    # S4 2 sets, 1 skipped → 66.7%; S1 7 sets (the correction not counted), 1 late, 1 skipped
    # → 75.0%; S2 (3 sets) and S3 (4 sets) 100%, the one with more sets first when descending.
    with open_database(backend.url, AppPaths.resolve(data_dir)) as database:
        world = build(database.sessions)
        review = ReviewService(database.sessions, SystemClock())
        four = SessionFilter(ids=frozenset((world.s1, world.s2, world.s3, world.s4)))
        rows = review.list_sessions(CHARGE, four, sort=SortKey.ON_TIME, descending=False).rows
        assert [r.id for r in rows] == [world.s4, world.s1, world.s2, world.s3]
        assert [round(r.on_time_pct or 0, 1) for r in rows] == [66.7, 75.0, 100.0, 100.0]
        rows = review.list_sessions(CHARGE, four, sort=SortKey.ON_TIME).rows
        assert [r.id for r in rows] == [world.s3, world.s2, world.s1, world.s4]
