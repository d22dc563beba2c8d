"""The symptom catalogue and course-action vocabulary match rules-spec §3."""

from __future__ import annotations

from infusion_monitor.domain.course import COURSE_ACTION_LABELS, CourseAction
from infusion_monitor.domain.symptoms import SYMPTOMS, BodySystem, Brown, symptoms_in


def test_every_code_of_the_spec_is_catalogued_once() -> None:
    assert len(SYMPTOMS) == 38
    assert sum(len(symptoms_in(system)) for system in BodySystem) == 38


def test_properties_of_some_entries() -> None:
    wheeze = SYMPTOMS["wheeze"]
    assert (wheeze.brown, wheeze.resp, wheeze.airway, wheeze.skin) == (
        Brown.MODERATE,
        True,
        True,
        False,
    )
    assert SYMPTOMS["vomiting_repeated"].gi_plus and SYMPTOMS["vomiting_repeated"].gi
    assert not SYMPTOMS["vomiting"].gi_plus
    assert SYMPTOMS["angioedema"].skin and SYMPTOMS["angioedema"].label.startswith("Swelling")
    assert (
        SYMPTOMS["throat_tightness"].brown is Brown.MODERATE
        and not SYMPTOMS["throat_tightness"].resp
    )
    assert SYMPTOMS["site_reaction"].system is BodySystem.LINE_SITE
    assert [s.code for s in symptoms_in(BodySystem.GASTROINTESTINAL)] == [
        "nausea",
        "vomiting",
        "vomiting_repeated",
        "abdominal_pain",
        "diarrhea",
    ]
    # The fourth revision's codes (rules-spec §3): dysphagia is laryngeal (airway), not resp.
    dysphagia = SYMPTOMS["dysphagia"]
    assert (dysphagia.brown, dysphagia.airway, dysphagia.resp) == (Brown.MODERATE, True, False)
    assert SYMPTOMS["diarrhea"].gi and not SYMPTOMS["diarrhea"].gi_plus
    assert SYMPTOMS["palpitations"].brown is Brown.NONE
    assert SYMPTOMS["eye_symptoms"].label == "Eye pain, redness or blurred vision"
    assert Brown.SEVERE.label == "severe"


def test_course_actions_have_labels() -> None:
    assert len(CourseAction) == 18
    assert set(COURSE_ACTION_LABELS) == set(CourseAction)
