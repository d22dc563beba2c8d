"""The course-action vocabulary: what was done for the patient during a session, with labels."""

from __future__ import annotations

from enum import StrEnum


class CourseAction(StrEnum):
    """An action recorded in a session's course (rules-spec §3)."""

    SLOW_INFUSION = "slow_infusion"
    HOLD_ESCALATION = "hold_escalation"
    PAUSE_INFUSION = "pause_infusion"
    RESTART_INFUSION = "restart_infusion"
    DISCONTINUE_INFUSION = "discontinue_infusion"
    ANTIHISTAMINE_H1 = "antihistamine_h1"
    ANTIHISTAMINE_H2 = "antihistamine_h2"
    ANTIPYRETIC = "antipyretic"
    CORTICOSTEROID = "corticosteroid"
    OPIOID = "opioid"
    IV_FLUID_BOLUS = "iv_fluid_bolus"
    BRONCHODILATOR = "bronchodilator"
    OXYGEN = "oxygen"
    EPINEPHRINE_IM = "epinephrine_im"
    AIRWAY_INTERVENTION = "airway_intervention"
    VASOPRESSOR = "vasopressor"
    CPR = "cpr"
    ADMIT = "admit"


#: Plain labels for the course panel.
COURSE_ACTION_LABELS: dict[CourseAction, str] = {
    CourseAction.SLOW_INFUSION: "Infusion slowed",
    CourseAction.HOLD_ESCALATION: "Rate escalation held",
    CourseAction.PAUSE_INFUSION: "Infusion paused",
    CourseAction.RESTART_INFUSION: "Infusion restarted",
    CourseAction.DISCONTINUE_INFUSION: "Infusion discontinued",
    CourseAction.ANTIHISTAMINE_H1: "H1 antihistamine given",
    CourseAction.ANTIHISTAMINE_H2: "H2 antihistamine given",
    CourseAction.ANTIPYRETIC: "Antipyretic given",
    CourseAction.CORTICOSTEROID: "Corticosteroid given",
    CourseAction.OPIOID: "Opioid given",
    CourseAction.IV_FLUID_BOLUS: "IV fluid bolus given",
    CourseAction.BRONCHODILATOR: "Bronchodilator given",
    CourseAction.OXYGEN: "Oxygen started",
    CourseAction.EPINEPHRINE_IM: "Epinephrine IM given",
    CourseAction.AIRWAY_INTERVENTION: "Airway intervention",
    CourseAction.VASOPRESSOR: "Vasopressor started",
    CourseAction.CPR: "CPR",
    CourseAction.ADMIT: "Admitted to hospital",
}
