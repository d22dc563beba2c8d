"""What happened over the course so far, folded one moment at a time (for CTCAE and "ever")."""

from __future__ import annotations

from dataclasses import dataclass, replace

from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.vitals import Acvpu
from infusion_monitor.rules.anaphylaxis import (
    Exposure,
    criteria,
    cytokine_pattern,
    exposure,
    names_anaphylaxis,
)
from infusion_monitor.rules.inputs import CourseEntry, Observation, minute_label
from infusion_monitor.rules.moment import Moment
from infusion_monitor.rules.setup import Setup

#: Actions that never count as treatment or interruption (rules-spec §4).
NOT_COUNTING = frozenset({CourseAction.SLOW_INFUSION, CourseAction.HOLD_ESCALATION})
#: Actions that are life-threatening markers whatever was active (rules-spec §4, D9).
URGENT_ACTIONS = frozenset(
    {CourseAction.AIRWAY_INTERVENTION, CourseAction.VASOPRESSOR, CourseAction.CPR}
)
#: ACVPU levels that are life-threatening markers (rules-spec §4, D9).
URGENT_ACVPU = frozenset({Acvpu.V, Acvpu.P, Acvpu.U})
#: Doses of IM epinephrine after which hypotension is refractory (rules-spec §4, D9).
REFRACTORY_AFTER_DOSES = 2


@dataclass(frozen=True, slots=True)
class History:
    """The course up to the last folded moment; each text is the evidence of its first instance."""

    first_feature: str | None = None
    anaphylaxis: str | None = None
    anaphylaxis_term: str | None = None
    met_episodes: int = 0
    in_met_episode: bool = False
    earlier_episode: str | None = None
    cytokine: str | None = None
    markers: tuple[tuple[str, str], ...] = ()
    epinephrine_doses: int = 0
    first_counting: tuple[int, str] | None = None
    admit: str | None = None
    recurrence: str | None = None
    prolonged: str | None = None

    def has_marker(self, kind: str) -> bool:
        """True when a life-threatening marker of ``kind`` was recorded."""
        return any(known == kind for known, _ in self.markers)

    def with_marker(self, kind: str, evidence: str) -> History:
        """Record a life-threatening marker unless one of its kind is already recorded."""
        if self.has_marker(kind):
            return self
        return replace(self, markers=(*self.markers, (kind, evidence)))


def exposure_now(history: History, moment: Moment, setup: Setup) -> Exposure:
    """The exposure at ``moment``, known after an earlier episode folded into ``history``."""
    return exposure(
        moment,
        setup.exposure_window_s,
        setup.patient.prior_reaction_to_drug,
        history.earlier_episode,
        setup.rules.definition.exposure.infused_drug_highly_probable,
    )


def _hour_reached(history: History, t: int, setup: Setup) -> bool:
    """True when the first counting action is at least the prompt-response time before ``t``."""
    first = history.first_counting
    return first is not None and t >= first[0] + setup.prompt_response_s


def carry(history: History, before: Moment, t: int, setup: Setup) -> History:
    """Note features that stayed active from ``before`` into the prompt-response deadline < t."""
    if history.prolonged is None and before.has_feature() and _hour_reached(history, t - 1, setup):
        prolonged = (
            f"features still active {setup.prompt_response_s // 60} min after the first action"
        )
        return replace(history, prolonged=prolonged)
    return history


def _note_observation(history: History, moment: Moment, obs: Observation, setup: Setup) -> History:
    """Life-threatening markers shown by the observation of this moment."""
    at = minute_label(obs.t)
    vitals = obs.vitals
    if vitals.acvpu in URGENT_ACVPU:
        history = history.with_marker("acvpu", f"ACVPU {vitals.acvpu} at {at}")
    baseline_spo2 = setup.baseline.spo2
    if (
        moment.current.on_oxygen
        and vitals.spo2 is not None
        and setup.spo2_life_threatening(vitals.spo2)
        and not (baseline_spo2 is not None and setup.spo2_life_threatening(baseline_spo2))
    ):
        history = history.with_marker("spo2", f"SpO2 {vitals.spo2} on oxygen at {at}")
    if (
        history.epinephrine_doses >= REFRACTORY_AFTER_DOSES
        and moment.current.signs.hypotension.active
    ):
        history = history.with_marker(
            "refractory", f"hypotension at {at} after two doses of IM epinephrine"
        )
    return history


def _note_features(history: History, before: Moment, moment: Moment) -> History:
    """First feature and recurrence: a feature began when every earlier one had resolved.

    An episode that met the criteria ends when every feature active before has resolved (a
    feature beginning at that minute starts the next episode): from then on, the drug is a
    known allergen (rules-spec §4 "Exposure").
    """
    now = moment.feature_keys()
    earlier = before.feature_keys()
    if history.in_met_episode and earlier and not now & earlier:
        ended = f"an episode that met the criteria resolved at {minute_label(moment.t)}"
        history = replace(history, in_met_episode=False, earlier_episode=ended)
    began = now - earlier
    if not began:
        return history
    if history.first_feature is None:
        return replace(history, first_feature=f"reaction feature at {minute_label(moment.t)}")
    if history.recurrence is None and now == began:
        return replace(history, recurrence=f"recurrence at {minute_label(moment.t)}")
    return history


def _note_actions(history: History, moment: Moment, actions: list[CourseEntry]) -> History:
    """Markers, epinephrine doses and the actions that count (taken while a feature is active)."""
    active = moment.has_feature()
    for entry in actions:
        text = f"{entry.action} at {minute_label(entry.t)}"
        if entry.action in URGENT_ACTIONS:
            history = history.with_marker(str(entry.action), text)
        if entry.action is CourseAction.EPINEPHRINE_IM:
            history = replace(history, epinephrine_doses=history.epinephrine_doses + 1)
        if not active or entry.action in NOT_COUNTING:
            continue
        if history.first_counting is None:
            history = replace(history, first_counting=(entry.t, text))
        if entry.action is CourseAction.ADMIT and history.admit is None:
            history = replace(history, admit=text)
    return history


def note_moment(
    history: History,
    before: Moment,
    moment: Moment,
    observation: Observation | None,
    actions: list[CourseEntry],
    setup: Setup,
) -> History:
    """Fold the entries of ``moment`` (following ``before``) into the history."""
    if observation is not None:
        history = _note_observation(history, moment, observation, setup)
    history = _note_features(history, before, moment)
    history = _note_actions(history, moment, actions)
    if (
        history.prolonged is None
        and moment.has_feature()
        and _hour_reached(history, moment.t, setup)
    ):
        prolonged = f"features still active at {minute_label(moment.t)}"
        history = replace(history, prolonged=prolonged)
    return history


def note_criteria(history: History, moment: Moment, setup: Setup) -> History:
    """Fold whether the anaphylaxis criteria or the cytokine pattern hold at ``moment``."""
    met = criteria(moment, exposure_now(history, moment, setup))
    if met:
        text = f"{met[0].label} met at {minute_label(moment.t)}"
        if history.anaphylaxis is None:
            history = replace(history, anaphylaxis=text)
        if history.anaphylaxis_term is None and names_anaphylaxis(moment, met):
            history = replace(history, anaphylaxis_term=text)
        if not history.in_met_episode:
            history = replace(history, in_met_episode=True, met_episodes=history.met_episodes + 1)
    if history.cytokine is None and cytokine_pattern(moment):
        history = replace(history, cytokine=f"cytokine pattern at {minute_label(moment.t)}")
    return history
