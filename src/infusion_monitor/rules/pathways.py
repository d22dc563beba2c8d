"""Pathways that fire at a moment, their priority, and the ordered, de-duplicated actions."""

from __future__ import annotations

from dataclasses import dataclass

from infusion_monitor.domain.symptoms import Brown
from infusion_monitor.rules.model import PRIORITY_RANK, REFRACTORY, RuleDefinition
from infusion_monitor.rules.moment import Moment
from infusion_monitor.rules.news2 import News2

#: The reaction pathways whose firing keeps mild_reaction quiet (rules-spec §5).
REACTION_PATHWAYS = ("anaphylaxis", "severe_reaction", "moderate_reaction", "airway_watch")
#: Actions left out once the infusion has ended or been discontinued (rules-spec §5).
INFUSING_ONLY = frozenset({"stop_infusion", "hold_escalation"})


@dataclass(frozen=True, slots=True)
class Triggers:
    """What the pathway conditions look at."""

    criteria_met: bool
    brown: Brown
    moment: Moment
    news2: News2


def _deterioration(definition: RuleDefinition, news2: News2) -> dict[str, bool]:
    """NEWS2 pathways; a trigger already present at baseline does not fire (rules-spec §5)."""
    if not news2.applicable:
        return {"deterioration_emergency": False, "deterioration_urgent": False}
    emergency = definition.pathways.deterioration_emergency.min_score
    urgent = definition.pathways.deterioration_urgent.min_score
    above = news2.score > news2.baseline_score
    return {
        "deterioration_emergency": above and news2.score >= emergency,
        "deterioration_urgent": (above and urgent <= news2.score < emergency)
        or bool(news2.new_reds()),
    }


def fired(definition: RuleDefinition, triggers: Triggers) -> list[str]:
    """Names of the pathways that fire, highest priority first, ties in table order."""
    moment = triggers.moment
    pathways = definition.pathways
    hypotension = moment.current.signs.hypotension.active
    holds = {
        "anaphylaxis": triggers.criteria_met,
        "severe_reaction": (triggers.brown is Brown.SEVERE or hypotension)
        and not triggers.criteria_met,
        "moderate_reaction": triggers.brown is Brown.MODERATE,
        "airway_watch": any(moment.has_symptom(code) for code in pathways.airway_watch.symptoms),
        "site_reaction": any(moment.has_symptom(code) for code in pathways.site_reaction.symptoms),
        **_deterioration(definition, triggers.news2),
    }
    mild = triggers.brown is Brown.MILD or (triggers.brown is Brown.NONE and moment.has_feature())
    holds["mild_reaction"] = mild and not any(holds[name] for name in REACTION_PATHWAYS)
    names = [name for name, _ in pathways.in_order() if holds[name]]
    return sorted(names, key=lambda name: -PRIORITY_RANK[getattr(pathways, name).priority])


def _condition_holds(condition: str, moment: Moment, refractory: bool) -> bool:
    """Two or more IM epinephrine doses given, a derived sign shown now, or a symptom active."""
    if condition == REFRACTORY:
        return refractory
    sign = moment.current.signs.shown().get(condition)
    return sign.active if sign is not None else moment.has_symptom(condition)


def actions(
    definition: RuleDefinition,
    names: list[str],
    moment: Moment,
    *,
    refractory: bool = False,
    drug: str | None = None,
) -> list[str]:
    """The union of the fired pathways' actions in order, without repeats (rules-spec §5).

    ``refractory``: two or more IM epinephrine doses were given; ``drug`` decides whether the
    mild pathway stops the infusion instead of holding escalation.
    """
    chosen: list[str] = []
    stop_for_any = definition.pathways.mild_reaction.stops_for(drug)
    for name in names:
        pathway = getattr(definition.pathways, name)
        for listed in pathway.actions:
            conditions = pathway.conditions(listed)
            if conditions and not any(_condition_holds(c, moment, refractory) for c in conditions):
                continue
            code = (
                "stop_infusion"
                if name == "mild_reaction" and listed == "hold_escalation" and stop_for_any
                else listed
            )
            if moment.ended is not None and code in INFUSING_ONLY:
                continue
            if code not in chosen:
                chosen.append(code)
    if "vitals_q5min" in chosen and "vitals_q15min" in chosen:
        chosen.remove("vitals_q15min")
    return chosen


def vitals_interval_min(chosen: list[str]) -> int | None:
    """5 with q5min or continuous monitoring, 15 with q15min, else None (drug protocol)."""
    if "vitals_q5min" in chosen or "continuous_monitoring" in chosen:
        return 5
    if "vitals_q15min" in chosen:
        return 15
    return None


def priority(definition: RuleDefinition, names: list[str]) -> str:
    """The highest priority among the fired pathways; ``none`` when none fired."""
    if not names:
        return "none"
    return str(getattr(definition.pathways, names[0]).priority)
