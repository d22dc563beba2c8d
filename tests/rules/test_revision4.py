"""rules-spec.md fourth revision: carried NEWS2 values, the infused drug as a highly probable
allergen, known after an episode, the new signs, pathways and outputs (reference.md §3.5)."""

from __future__ import annotations

from typing import Any

import pytest
from casebuilder import BASELINE, Run, act, case, obs, symptom

from infusion_monitor.datafile import DataFileError
from infusion_monitor.resources import resource
from infusion_monitor.rules.loader import RuleSet, parse_rules
from infusion_monitor.rules.model import RuleDefinition

DEFAULT = resource("rules", "default.toml").read_text(encoding="utf-8")


def monitor(minute: int, **changes: Any) -> dict[str, Any]:
    """A bedside monitor's set: no ACVPU, no oxygen flag, no temperature."""
    values = {k: v for k, v in obs(minute, **changes).items() if k not in ("acvpu", "on_oxygen")}
    return {**values, "temp_c": changes.get("temp_c")}


def variant(old: str, new: str) -> RuleSet:
    """The default rule set with one change."""
    text = DEFAULT.replace(old, new, 1)
    assert text != DEFAULT
    return parse_rules(text.encode(), "variant.toml")


# --- Carried NEWS2 values -------------------------------------------------------------------


def test_a_monitor_set_after_a_nurses_confusion_and_oxygen_keeps_the_score(run: Run) -> None:
    nurse = obs(10, acvpu="C", on_oxygen=True, rr=25, spo2=93, hr=112, sbp=100, temp_c=38.5)
    out = run(case(observations=[nurse, monitor(13, rr=25, spo2=93, hr=112, sbp=100)]))
    n = out["news2"]
    assert n["carried"] == ["air_or_oxygen", "acvpu", "temp"]
    assert n["complete"] is False
    assert n["parameters"] == {
        "rr": 3,
        "spo2": 2,
        "air_or_oxygen": 2,
        "sbp": 2,
        "hr": 2,
        "acvpu": 3,
        "temp": 1,
    }
    assert (n["score"], n["band"]) == (15, "high")
    assert out["derived"]["reduced_consciousness"] is True
    assert out["vitals_interval_min"] == 5


def test_carried_from_the_newest_earlier_entry_then_the_baseline(run: Run) -> None:
    first = obs(10, acvpu="V")
    second = obs(20, acvpu="C", temp_c=None)
    out = run(case(observations=[first, second, monitor(30)]))
    assert out["news2"]["carried"] == ["air_or_oxygen", "acvpu", "temp"]
    assert out["news2"]["parameters"]["temp"] == 0  # from minute 10's 36.8
    assert out["news2"]["parameters"]["acvpu"] == 3


def test_an_entry_ignored_at_its_minute_is_never_carried(run: Run) -> None:
    out = run(case(observations=[obs(10, acvpu="U"), obs(10, acvpu="A"), monitor(20)]))
    assert out["news2"]["parameters"]["acvpu"] == 0
    assert out["ctcae"]["grade"] == 0  # the ignored U is no life-threatening marker


def test_nothing_to_carry_stays_null_and_is_not_listed(run: Run) -> None:
    baseline = {**BASELINE, "temp_c": None, "acvpu": None, "on_oxygen": None}
    out = run(case(baseline=baseline, observations=[monitor(10)]))
    n = out["news2"]
    assert n["carried"] == []
    assert (n["parameters"]["temp"], n["parameters"]["acvpu"]) == (None, None)
    assert n["parameters"]["air_or_oxygen"] is None
    assert n["score"] == 0 and n["complete"] is False


def test_the_baseline_as_current_set_carries_nothing(run: Run) -> None:
    baseline = {**BASELINE, "acvpu": None}
    n = run(case(baseline=baseline))["news2"]
    assert n["carried"] == [] and n["parameters"]["acvpu"] is None and n["complete"] is False
    omitted = {k: v for k, v in BASELINE.items() if k not in ("acvpu", "on_oxygen")}
    n = run(case(baseline=omitted))["news2"]
    assert n["complete"] is True and n["parameters"]["acvpu"] == 0


def test_an_omitted_acvpu_in_an_observation_is_not_assessed(run: Run) -> None:
    entry = {k: v for k, v in obs(10).items() if k != "acvpu"}
    n = run(case(observations=[obs(5, acvpu="C"), entry]))["news2"]
    assert n["carried"] == ["acvpu"] and n["parameters"]["acvpu"] == 3


def test_scale_2_spo2_uses_the_carried_oxygen_flag(run: Run) -> None:
    patient = {"spo2_scale": 2}
    nurse = obs(10, spo2=97, on_oxygen=True)
    out = run(case(patient=patient, observations=[nurse, monitor(15, spo2=97, temp_c=36.8)]))
    n = out["news2"]
    assert n["carried"] == ["air_or_oxygen", "acvpu"]
    assert (n["parameters"]["spo2"], n["parameters"]["air_or_oxygen"]) == (3, 2)


def test_a_carried_scale_2_spo2_is_scored_with_the_oxygen_flag_now(run: Run) -> None:
    patient = {"spo2_scale": 2}
    on_air = obs(10, spo2=95, on_oxygen=False)
    now = {**obs(15, spo2=None, on_oxygen=True)}
    n = run(case(patient=patient, observations=[on_air, now]))["news2"]
    assert n["carried"] == ["spo2"]
    assert (n["parameters"]["spo2"], n["parameters"]["air_or_oxygen"]) == (2, 2)


def test_scale_2_without_any_oxygen_flag_scores_as_on_air(run: Run) -> None:
    baseline = {**BASELINE, "on_oxygen": None, "spo2": 97}
    n = run(case(patient={"spo2_scale": 2}, baseline=baseline, observations=[monitor(5, spo2=97)]))
    assert n["news2"]["parameters"]["spo2"] == 0
    assert "air_or_oxygen" not in n["news2"]["carried"]


def test_spo2_on_carried_oxygen_is_a_life_threatening_marker(run: Run) -> None:
    out = run(case(observations=[obs(10, on_oxygen=True), monitor(15, spo2=85)]))
    assert out["ctcae"]["grade"] == 4


def test_a_monitor_set_gives_no_acvpu_marker_and_not_applicable_lists_nothing(run: Run) -> None:
    out = run(case(patient={"pregnant": True}, observations=[obs(5, acvpu="C"), monitor(10)]))
    assert out["news2"]["carried"] is None
    assert out["derived"]["reduced_consciousness"] is True


# --- Exposure: highly probable, known after an episode ----------------------------------------


def test_isolated_stridor_inside_the_window_is_wao_2_and_anaphylaxis(run: Run) -> None:
    out = run(case(symptoms=[symptom("stridor", 5)]))
    assert out["wao_criteria"] == [2] and out["pathways"][0] == "anaphylaxis"
    assert "airway_watch" in out["pathways"]
    assert out["ctcae"]["term"] == "anaphylaxis"  # an airway feature


def test_the_site_can_require_a_known_allergen_for_wao_2(run: Run) -> None:
    strict = variant("infused_drug_highly_probable = true", "infused_drug_highly_probable = false")
    out = run(case(symptoms=[symptom("stridor", 5)]), strict)
    assert out["wao_2020"] is False and out["priority"] == "medium"
    assert out["pathways"] == ["moderate_reaction", "airway_watch"]


def test_a_recurrence_after_a_resolved_episode_is_judged_against_a_known_allergen(
    run: Run,
) -> None:
    first = [symptom("urticaria", 5, 20), symptom("dyspnea", 5, 20)]
    again = obs(60, sbp=80, dbp=50)
    out = run(case(observations=[obs(30), again], symptoms=first, at_minute=60))
    assert out["niaid_criteria"] == [3]
    assert out["observe_after_resolution_min"] == 360  # criteria met in two episodes
    finding = next(f for f in out["findings"] if f["rule"] == "niaid_2006.criterion3")
    assert any("resolved at minute 20" in text for text in finding["evidence"])


def test_a_reaction_that_goes_on_is_not_a_known_allergen(run: Run) -> None:
    going_on = [symptom("urticaria", 5), symptom("dyspnea", 5, 20)]
    out = run(case(observations=[obs(60, sbp=80, dbp=50)], symptoms=going_on, at_minute=60))
    assert 3 not in out["niaid_criteria"]
    assert out["observe_after_resolution_min"] == 120


def test_a_feature_beginning_as_the_last_resolves_starts_a_new_episode(run: Run) -> None:
    symptoms = [
        symptom("urticaria", 5, 20),
        symptom("dyspnea", 5, 20),
        symptom("wheeze", 20),
    ]
    out = run(case(symptoms=symptoms, at_minute=20))
    assert out["observe_after_resolution_min"] == 360
    assert any("resolved at minute 20" in e for f in out["findings"] for e in f["evidence"])


def test_an_episode_without_criteria_does_not_make_the_drug_known(run: Run) -> None:
    first = [symptom("urticaria", 5, 20)]
    out = run(case(observations=[obs(30), obs(60, sbp=80, dbp=50)], symptoms=first))
    assert out["niaid_criteria"] == []


# --- Signs ------------------------------------------------------------------------------------


def test_hypoxia_after_a_fall_from_a_low_baseline_is_brown_severe(run: Run) -> None:
    out = run(case(baseline={**BASELINE, "spo2": 91}, observations=[obs(10, spo2=87)]))
    assert out["derived"]["hypoxia"] is True and out["brown"] == "severe"


def test_a_fall_within_the_normal_range_is_not_desaturation(run: Run) -> None:
    out = run(case(baseline={**BASELINE, "spo2": 99}, observations=[obs(10, spo2=95)]))
    assert out["derived"]["desaturation"] is False and out["pathways"] == []


def test_site_values_for_hypoxia_and_desaturation(run: Run) -> None:
    wider = variant("desaturation_spo2_max = 94", "desaturation_spo2_max = 95")
    out = run(case(baseline={**BASELINE, "spo2": 99}, observations=[obs(10, spo2=95)]), wider)
    assert out["derived"]["desaturation"] is True
    steeper = variant("hypoxia_fall_points = 4", "hypoxia_fall_points = 5")
    out = run(case(baseline={**BASELINE, "spo2": 91}, observations=[obs(10, spo2=87)]), steeper)
    assert out["derived"]["hypoxia"] is False


# --- Symptoms and pathways --------------------------------------------------------------------


@pytest.mark.parametrize("code", ["angioedema", "stridor", "voice_change", "dysphagia"])
def test_airway_watch_on_laryngeal_features(run: Run, code: str) -> None:
    assert "airway_watch" in run(case(symptoms=[symptom(code, 5)]))["pathways"]


def test_the_new_symptom_codes(run: Run) -> None:
    out = run(case(symptoms=[symptom("dysphagia", 5)]))
    assert out["brown"] == "moderate" and out["wao_criteria"] == [2]
    assert out["niaid_2006"] is False  # laryngeal, not respiratory compromise
    gi = run(case(symptoms=[symptom("diarrhea", 5)]))
    assert (gi["brown"], gi["pathways"]) == ("none", ["mild_reaction"])
    gi_with = run(case(symptoms=[symptom("diarrhea", 5), symptom("dizziness", 5)]))
    assert gi_with["brown"] == "moderate"
    for code in ("palpitations", "eye_symptoms"):
        out = run(case(symptoms=[symptom(code, 5)]))
        assert (out["brown"], out["pathways"]) == ("none", ["mild_reaction"])


@pytest.mark.parametrize(
    ("drug", "first"),
    [
        ("daratumumab", "stop_infusion"),
        ("IV-Iron", "stop_infusion"),
        ("paclitaxel", "stop_infusion"),
        ("rituximab", "hold_escalation"),
        (None, "hold_escalation"),
    ],
)
def test_mild_reactions_stop_the_infusion_for_the_listed_drugs(
    run: Run, drug: str | None, first: str
) -> None:
    data = case(symptoms=[symptom("flushing", 5)])
    if drug is not None:
        data["drug"] = drug
    out = run(data)
    assert out["pathways"] == ["mild_reaction"] and out["actions"][0] == first
    assert "hold_escalation" not in out["actions"][1:]


def test_a_mild_reaction_after_the_end_stops_nothing(run: Run) -> None:
    data = case(drug="daratumumab", symptoms=[symptom("flushing", 70)], infusion_end_minute=60)
    assert run(data)["actions"][0] == "stay_with_patient"


def test_two_epinephrine_doses_bring_the_refractory_step_and_fluids(run: Run) -> None:
    symptoms = [symptom("urticaria", 5), symptom("wheeze", 5)]
    one = run(case(symptoms=symptoms, course=[act(6, "epinephrine_im")]))
    assert "refractory_anaphylaxis" not in one["actions"]
    assert "iv_fluid_bolus" not in one["actions"]
    two = run(case(symptoms=symptoms, course=[act(6, "epinephrine_im"), act(11, "epinephrine_im")]))
    actions = two["actions"]
    assert actions.index("refractory_anaphylaxis") == actions.index("epinephrine_im") + 1
    assert "iv_fluid_bolus" in actions
    assert two["observe_after_resolution_min"] == 360


def test_three_doses_or_a_vasopressor_mean_twelve_hours(run: Run) -> None:
    symptoms = [symptom("urticaria", 5), symptom("wheeze", 5)]
    doses = [act(m, "epinephrine_im") for m in (6, 11, 16)]
    assert run(case(symptoms=symptoms, course=doses))["observe_after_resolution_min"] == 720
    vaso = [act(6, "vasopressor")]
    assert run(case(symptoms=symptoms, course=vaso))["observe_after_resolution_min"] == 720


def test_no_criteria_means_no_observation_time_and_no_dose(run: Run) -> None:
    out = run(case(symptoms=[symptom("flushing", 5)]))
    assert out["observe_after_resolution_min"] is None
    assert out["epinephrine_im_dose_mg"] is None


@pytest.mark.parametrize(
    ("age", "dose"),
    [(50, 0.5), (12, 0.5), (11.9, 0.3), (7, 0.3), (6, 0.3), (5.9, 0.15), (0.5, 0.15), (0.4, 0.1)],
)
def test_epinephrine_dose_for_the_patients_age(run: Run, age: float, dose: float) -> None:
    data = case(
        patient={"age_years": age}, symptoms=[symptom("urticaria", 5), symptom("wheeze", 5)]
    )
    assert run(data)["epinephrine_im_dose_mg"] == dose


# --- CTCAE term -------------------------------------------------------------------------------


def test_criteria_without_skin_or_airway_are_not_the_anaphylaxis_term(run: Run) -> None:
    cytokine = obs(40, sbp=85, dbp=50, spo2=90, temp_c=38.6)
    out = run(case(observations=[cytokine]))
    assert out["pathways"][0] == "anaphylaxis"
    assert out["ctcae"]["term"] == "infusion_related_reaction"
    assert out["ctcae"]["cytokine_pattern"] is True


def test_niaid_3_names_the_anaphylaxis_term(run: Run) -> None:
    out = run(case(patient={"prior_reaction_to_drug": True}, observations=[obs(10, sbp=80)]))
    assert out["niaid_criteria"] == [3] and out["ctcae"]["term"] == "anaphylaxis"


# --- The rule-set file ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("{ from_age_years = 0, dose_mg = 0.1 },", "", "the last band must start at age 0"),
        ("from_age_years = 6,", "from_age_years = 13,", "from the oldest age down"),
        ('"refractory"', '"refractroy"', "nor 'refractory'"),
        ("dose_mg = 0.3", "dose_mg = 3", "less than or equal to 1"),
    ],
)
def test_rule_set_mistakes_in_the_new_settings(old: str, new: str, message: str) -> None:
    text = DEFAULT.replace(old, new, 1)
    assert text != DEFAULT
    with pytest.raises(DataFileError) as caught:
        parse_rules(text.encode(), "bad.toml")
    assert message in str(caught.value)


def test_the_default_rule_set_names_the_new_values(rules: RuleSet) -> None:
    definition: RuleDefinition = rules.definition
    assert definition.exposure.infused_drug_highly_probable is True
    assert definition.epinephrine.dose_mg(7) == 0.3
    assert definition.observation.after_resolution_min == 120
    assert "iron-dextran" in definition.pathways.mild_reaction.stop_for_any_reaction
