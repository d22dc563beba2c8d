"""``assess(context, at)``: the one evaluation behind the GUI, the monitor feed and the CLI."""

from __future__ import annotations

from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.symptoms import Brown
from infusion_monitor.rules import anaphylaxis, news2, pathways, severity
from infusion_monitor.rules.assessment import Assessment
from infusion_monitor.rules.context import SessionContext
from infusion_monitor.rules.ctcae import suggest
from infusion_monitor.rules.derived import sbp_fall_pct
from infusion_monitor.rules.findings import Finding
from infusion_monitor.rules.history import REFRACTORY_AFTER_DOSES, History, exposure_now
from infusion_monitor.rules.moment import Moment
from infusion_monitor.rules.news2 import News2
from infusion_monitor.rules.setup import Setup

_BROWN_PATHWAY = {
    Brown.SEVERE: "severe_reaction",
    Brown.MODERATE: "moderate_reaction",
    Brown.MILD: "mild_reaction",
}


def _news2_findings(n: News2, fired: list[str]) -> list[Finding]:
    """The NEWS2 score behind each deterioration pathway that fired, and the baseline warning.

    Every fired pathway gets its own finding, so "why?" has an answer for each; with none fired,
    a non-zero score is still reported without a pathway.
    """
    if not n.applicable:
        return []
    found: list[Finding] = []
    scoring = tuple(f"{name} scores {score}" for name, score in n.parameters.items() if score)
    evidence = (*scoring, f"total {n.score}, baseline {n.baseline_score}")
    deterioration: list[str | None] = [name for name in fired if name.startswith("deterioration")]
    for pathway in deterioration or ([None] if scoring else []):
        reds = n.new_reds() if pathway == "deterioration_urgent" else []
        why = (*evidence, *(f"{name} scores 3 (below 3 at baseline)" for name in reds))
        found.append(Finding(f"news2.{n.band}", pathway, why, news2.SOURCE))
    if n.baseline_warning:
        warning = (f"baseline scores {n.baseline_score}",)
        found.append(Finding("news2.baseline_warning", None, warning, news2.SOURCE))
    return found


def _reaction_findings(
    setup: Setup, moment: Moment, graded: severity.Severity, fired: list[str]
) -> list[Finding]:
    """Brown class, hypotension, fever, feature-only mild reaction and symptom pathways."""

    def on(name: str) -> str | None:
        return name if name in fired else None

    found: list[Finding] = []
    if graded.brown is not Brown.NONE:
        rule = f"brown.{graded.brown.label}"
        found.append(
            Finding(rule, on(_BROWN_PATHWAY[graded.brown]), graded.evidence, severity.SOURCE)
        )
    elif moment.has_feature():
        evidence = tuple(moment.feature_evidence())
        rule_set = f"rule set {setup.rules.name}"
        found.append(Finding("reaction.feature", on("mild_reaction"), evidence, rule_set))
    signs = moment.current.signs
    if signs.hypotension.active:
        source = f"{anaphylaxis.NIAID_SOURCE}; {anaphylaxis.WAO_SOURCE}"
        evidence = (signs.hypotension.evidence,)
        found.append(Finding("derived.hypotension", on("severe_reaction"), evidence, source))
    if signs.fever.active:
        found.append(Finding("derived.fever", None, (signs.fever.evidence,), "CTCAE v5.0 Fever"))
    source = f"rule set {setup.rules.name}"
    for name in ("airway_watch", "site_reaction"):
        if name in fired:
            codes = getattr(setup.rules.definition.pathways, name).symptoms
            evidence = tuple(f"{e.code} active" for e in moment.active if e.code in codes)
            found.append(Finding(name, name, evidence, source))
    return found


def observe_after_resolution_min(history: History, setup: Setup) -> int | None:
    """The least observation after an anaphylaxis has resolved (rules-spec §5, RCUK 2021):
    None unless the criteria were met at some time."""
    if history.anaphylaxis is None:
        return None
    minutes = setup.rules.definition.observation
    doses = history.epinephrine_doses
    if doses > REFRACTORY_AFTER_DOSES or history.has_marker(str(CourseAction.VASOPRESSOR)):
        return minutes.after_three_doses_or_vasopressor_min
    if doses == REFRACTORY_AFTER_DOSES or history.met_episodes > 1:
        return minutes.after_two_doses_or_biphasic_min
    return minutes.after_resolution_min


def assess(context: SessionContext, at: int) -> Assessment:
    """Assess the session at second ``at``: only entries at or before it count."""
    setup = context.setup
    timeline = context.timeline(at)
    moment = timeline.moment
    definition = setup.rules.definition
    current = moment.current
    scores = news2.news2(
        current.vitals,
        None if current.t is None else current.earlier,
        setup.news2_baseline,
        setup.patient,
        definition.news2.baseline_warning_score,
    )
    graded = severity.brown(moment)
    history = timeline.history
    met = anaphylaxis.criteria(moment, exposure_now(history, moment, setup))
    triggers = pathways.Triggers(bool(met), graded.brown, moment, scores)
    fired = pathways.fired(definition, triggers)
    refractory = history.epinephrine_doses >= REFRACTORY_AFTER_DOSES
    chosen = pathways.actions(definition, fired, moment, refractory=refractory, drug=setup.drug)
    suggestion = suggest(timeline.history, moment, setup)
    findings = [
        Finding(f"{c.system}.criterion{c.number}", "anaphylaxis", c.evidence, c.source) for c in met
    ]
    findings += _reaction_findings(setup, moment, graded, fired)
    findings += _news2_findings(scores, fired)
    findings += suggestion.findings
    return Assessment(
        at=at,
        rules=setup.rules,
        news2=scores,
        brown=graded.brown,
        niaid_criteria=tuple(c.number for c in met if c.system == "niaid_2006"),
        wao_criteria=tuple(c.number for c in met if c.system == "wao_2020"),
        signs=moment.current.signs,
        sbp_fall_pct=sbp_fall_pct(moment.current.vitals.sbp, setup.baseline.sbp),
        ctcae=suggestion,
        priority=pathways.priority(definition, fired),
        pathways=tuple(fired),
        actions=tuple(chosen),
        vitals_interval_min=pathways.vitals_interval_min(chosen),
        epinephrine_im_dose_mg=(
            definition.epinephrine.dose_mg(setup.patient.age_years)
            if "epinephrine_im" in chosen
            else None
        ),
        observe_after_resolution_min=observe_after_resolution_min(history, setup),
        findings=tuple(findings),
    )
