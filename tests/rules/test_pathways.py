"""Pathways: conditions, priority order, de-duplicated actions, q5/q15 and end-of-infusion."""

from __future__ import annotations

from casebuilder import BASELINE, Run, act, case, obs, symptom


def test_mild_reaction_is_quiet_when_a_reaction_pathway_fires(run: Run) -> None:
    out = run(case(symptoms=[symptom("angioedema", 5)]))
    assert out["pathways"] == ["airway_watch"]
    assert out["actions"] == [
        "stop_infusion",
        "notify_provider_now",
        "watch_airway",
        "vitals_q5min",
        "document_reaction",
    ]
    assert (out["priority"], out["vitals_interval_min"]) == ("medium", 5)


def test_hypotension_without_criteria_is_a_severe_reaction_with_fluids_and_oxygen(
    run: Run,
) -> None:
    # Outside the exposure window hypotension alone meets no criterion (rules-spec §4).
    out = run(case(observations=[obs(500, sbp=80, dbp=50)], infusion_end_minute=60))
    assert out["pathways"][0] == "severe_reaction"
    assert "iv_fluid_bolus" in out["actions"] and "oxygen" in out["actions"]
    hypoxic = run(case(observations=[obs(10, spo2=91)]))
    assert hypoxic["pathways"][0] == "severe_reaction"
    assert "oxygen" in hypoxic["actions"] and "iv_fluid_bolus" not in hypoxic["actions"]


def test_conditional_actions_are_left_out_without_their_sign(run: Run) -> None:
    out = run(case(symptoms=[symptom("confusion", 5)]))
    assert out["pathways"] == ["severe_reaction"]
    assert "oxygen" not in out["actions"] and "iv_fluid_bolus" not in out["actions"]


def test_anaphylaxis_with_moderate_brown_also_fires_moderate(run: Run) -> None:
    out = run(case(symptoms=[symptom("urticaria", 5), symptom("dyspnea", 5)]))
    assert out["pathways"] == ["anaphylaxis", "moderate_reaction"]
    assert out["actions"][-3:] == [
        "keep_line_open",
        "notify_provider_now",
        "standing_order_medication",
    ]
    assert "bronchodilator" not in out["actions"]


def test_site_reaction_alone(run: Run) -> None:
    out = run(case(symptoms=[symptom("site_reaction", 5)]))
    assert (out["pathways"], out["actions"]) == (
        ["site_reaction"],
        ["stop_infusion", "check_line_site", "notify_provider"],
    )
    assert (out["priority"], out["vitals_interval_min"]) == ("low", None)
    assert out["ctcae"]["term"] == "none"


def test_mild_reaction_and_site_reaction_ties_keep_table_order(run: Run) -> None:
    out = run(case(symptoms=[symptom("site_reaction", 5), symptom("flushing", 5)]))
    assert out["pathways"] == ["mild_reaction", "site_reaction"]
    assert out["actions"] == [
        "hold_escalation",
        "stay_with_patient",
        "notify_provider",
        "vitals_q15min",
        "document_reaction",
        "stop_infusion",
        "check_line_site",
    ]


def test_after_the_end_stop_and_hold_are_left_out(run: Run) -> None:
    out = run(case(symptoms=[symptom("flushing", 70)], infusion_end_minute=60))
    assert out["actions"] == [
        "stay_with_patient",
        "notify_provider",
        "vitals_q15min",
        "document_reaction",
    ]
    during = run(case(symptoms=[symptom("flushing", 50)], infusion_end_minute=60, at_minute=55))
    assert during["actions"][0] == "hold_escalation"
    stopped = run(case(symptoms=[symptom("dizziness", 5)], course=[act(6, "discontinue_infusion")]))
    assert "stop_infusion" not in stopped["actions"]


def test_deterioration_urgent_alone_keeps_q15(run: Run) -> None:
    out = run(case(observations=[obs(10, hr=135)]))
    assert out["pathways"] == ["deterioration_urgent"]
    assert (out["actions"], out["vitals_interval_min"]) == (
        ["notify_provider_now", "vitals_q15min"],
        15,
    )


def test_score_of_7_is_emergency_only(run: Run) -> None:
    out = run(case(observations=[obs(10, rr=22, spo2=95, hr=115, temp_c=39.2)]))
    assert out["news2"]["score"] == 7 and out["news2"]["red_parameter"] is False
    assert (
        out["pathways"] == ["deterioration_emergency", "mild_reaction"][:1]
        or out["pathways"][0] == "deterioration_emergency"
    )
    assert "deterioration_urgent" not in out["pathways"]
    assert out["vitals_interval_min"] == 5


def test_a_trigger_present_at_baseline_does_not_fire(run: Run) -> None:
    baseline = {**BASELINE, "hr": 135, "rr": 22}
    out = run(case(baseline=baseline, observations=[obs(10, hr=135, rr=22)]))
    assert out["news2"]["baseline_warning"] is True
    assert out["pathways"] == [] and out["priority"] == "none"
    worse = run(case(baseline=baseline, observations=[obs(10, hr=135, rr=22, spo2=95)]))
    assert worse["pathways"] == ["deterioration_urgent"]


def test_findings_name_their_pathway(run: Run) -> None:
    out = run(
        case(symptoms=[symptom("urticaria", 38)], course=[act(41, "pause_infusion")], at_minute=45)
    )
    assert out["findings"][0] == {
        "rule": "brown.mild",
        "pathway": "mild_reaction",
        "evidence": ["urticaria since minute 38"],
        "source": "Brown 2004",
    }
