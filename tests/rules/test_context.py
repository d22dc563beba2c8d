"""The incremental session context: late entries, resolutions, sub-minute times, action text."""

from __future__ import annotations

import pytest

from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.vitals import VitalSigns
from infusion_monitor.rules.context import SessionContext
from infusion_monitor.rules.engine import assess
from infusion_monitor.rules.inputs import Patient, minute_label
from infusion_monitor.rules.loader import RuleSet

BASE = VitalSigns(hr=80, sbp=120, dbp=70, rr=16, spo2=98, temp_c=36.8)
LOW = VitalSigns(hr=80, sbp=80, dbp=50, rr=16, spo2=98, temp_c=36.8)


def context(rules: RuleSet) -> SessionContext:
    return SessionContext(rules, Patient(), BASE)


def test_a_late_entry_refolds_and_matches_a_fresh_context(rules: RuleSet) -> None:
    live = context(rules)
    live.add_observation(600, BASE)
    live.add_observation(1200, BASE)
    live.add_observation(1800, BASE)
    assert assess(live, 1800).ctcae.term == "none"
    live.add_observation(900, LOW)
    fresh = context(rules)
    for t, vitals in ((600, BASE), (900, LOW), (1200, BASE), (1800, BASE)):
        fresh.add_observation(t, vitals)
    assert assess(live, 1800) == assess(fresh, 1800)
    assert assess(live, 1800).ctcae.term == "infusion_related_reaction"


def test_resolving_a_symptom(rules: RuleSet) -> None:
    live = context(rules)
    key = live.add_symptom("flushing", 300)
    assert assess(live, 300).brown.label == "mild"
    with pytest.raises(ValueError, match="cannot resolve"):
        live.resolve_symptom(key, 200)
    live.resolve_symptom(key, 600)
    with pytest.raises(ValueError, match="cannot resolve"):
        live.resolve_symptom(key, 700)
    assert assess(live, 700).brown.label == "none"
    assert assess(live, 700).ctcae.term == "infusion_related_reaction"


def test_a_symptom_resolved_at_its_onset_is_ignored(rules: RuleSet) -> None:
    live = context(rules)
    key = live.add_symptom("urticaria", 300)
    assert assess(live, 300).priority == "low"
    live.add_observation(400, BASE)
    assert assess(live, 400).ctcae.grade == 1
    live.resolve_symptom(key, 300)
    assert assess(live, 400).ctcae.term == "none"
    before = live.add_symptom("pruritus", -60)
    live.resolve_symptom(before, 60)
    assert assess(live, 400).ctcae.term == "none"


def test_sub_minute_times(rules: RuleSet) -> None:
    assert minute_label(2310) == "minute 38.5"
    assert minute_label(-90) == "minute -1.5"
    live = context(rules)
    live.add_symptom("urticaria", 2310)
    live.add_action(2320, CourseAction.PAUSE_INFUSION)
    out = assess(live, 2400).to_json("s")
    assert out["at_minute"] == 40
    assert assess(live, 2430).to_json("s")["at_minute"] == 40.5
    assert out["findings"][0]["evidence"] == ["urticaria since minute 38.5"]


def test_action_text_comes_from_the_rule_set(rules: RuleSet) -> None:
    live = context(rules)
    live.add_symptom("site_reaction", 60)
    assert assess(live, 60).action_text() == [
        ("stop_infusion", "Stop the infusion now."),
        ("check_line_site", rules.definition.action_text["check_line_site"]),
        ("notify_provider", "Tell the prescriber."),
    ]
