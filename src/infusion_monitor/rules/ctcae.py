"""Suggested CTCAE v5.0 term and grade from the recorded course (rules-spec §4, D7-D9)."""

from __future__ import annotations

from dataclasses import dataclass

from infusion_monitor.rules.findings import Finding
from infusion_monitor.rules.history import History
from infusion_monitor.rules.inputs import SECONDS_PER_MIN
from infusion_monitor.rules.moment import Moment
from infusion_monitor.rules.setup import Setup

VERSION = "5.0"
SOURCE = "CTCAE v5.0"
_ABBREVIATION = {"anaphylaxis": "anaphylaxis", "infusion_related_reaction": "irr"}


@dataclass(frozen=True, slots=True)
class Ctcae:
    """The suggested term and grade, the cytokine-pattern flag and their findings."""

    term: str
    grade: int
    cytokine_pattern: bool
    findings: tuple[Finding, ...]


def _irr_grade(history: History, moment: Moment, setup: Setup) -> tuple[int, tuple[str, ...]]:
    """Infusion-related reaction grade and its evidence."""
    markers = tuple(text for _, text in history.markers)
    if markers:
        return 4, markers
    grade3 = tuple(t for t in (history.recurrence, history.admit, history.prolonged) if t)
    if grade3:
        return 3, grade3
    if history.first_counting is not None:
        first_t, first = history.first_counting
        if moment.has_feature():
            elapsed = (moment.t - first_t) // SECONDS_PER_MIN
            limit = setup.prompt_response_s // SECONDS_PER_MIN
            return 2, (first, f"unresolved, {elapsed} of {limit} min")
        return 2, (first, "resolved")
    return 1, (history.first_feature or "",)


def suggest(history: History, moment: Moment, setup: Setup) -> Ctcae:
    """The CTCAE suggestion at ``moment`` from everything folded into ``history``."""
    findings: list[Finding] = []
    if history.anaphylaxis_term is not None:
        term = "anaphylaxis"
        markers = tuple(text for _, text in history.markers)
        grade = 4 if markers else 3
        evidence: tuple[str, ...] = (history.anaphylaxis_term, *markers)
    elif history.first_feature is not None:
        term = "infusion_related_reaction"
        grade, evidence = _irr_grade(history, moment, setup)
    else:
        term, grade, evidence = "none", 0, ()
    if grade:
        rule = f"ctcae.{_ABBREVIATION[term]}.grade{grade}"
        findings.append(Finding(rule, None, evidence, SOURCE))
    if history.cytokine is not None:
        findings.append(Finding("ctcae.cytokine_pattern", None, (history.cytokine,), SOURCE))
    return Ctcae(term, grade, history.cytokine is not None, tuple(findings))
