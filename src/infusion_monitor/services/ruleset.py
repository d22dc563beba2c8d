"""The rule set in force for the running app: the configured site file, else the shipped default.

An invalid file is refused and the last valid rule set stays in force; the nurse is told which
one grades her patients, and the administrator what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from infusion_monitor.rules.loader import RuleSet, RulesInForce, RulesRefused, default_rules
from infusion_monitor.services.messages import MessageFunnel

SHORT_HASH_CHARS = 12


@dataclass(frozen=True)
class RuleSetInfo:
    """How the status bar shows the rule set in force: its version, a label and a tooltip."""

    version: str
    label: str
    detail: str


def describe(rules: RuleSet) -> RuleSetInfo:
    """The status-bar description of ``rules``: name and the start of its SHA-256."""
    digest = rules.version.removeprefix("sha256:")
    return RuleSetInfo(
        rules.version,
        f"Rules: {rules.name} · sha256 {digest[:SHORT_HASH_CHARS]}",
        f"{rules.file}\n{rules.version}",
    )


class RuleSetService:
    """Holds the rule set in force; loads the configured file at start and on reload."""

    def __init__(self, configured: Path | None, funnel: MessageFunnel) -> None:
        self._configured = configured
        self._funnel = funnel
        self._in_force = RulesInForce(default_rules())
        if configured is not None:
            self.reload()

    @property
    def rules(self) -> RuleSet:
        """The rule set that grades assessments now."""
        return self._in_force.rules

    def info(self) -> RuleSetInfo:
        """The status-bar description of the rule set in force."""
        return describe(self.rules)

    def reload(self) -> RuleSetInfo:
        """Re-read the configured file; an invalid one is refused and the current set is kept."""
        if self._configured is None:
            self._funnel.info(
                "The shipped default rule set is in force. To use a site rule set, name it in "
                "the configuration file ([rules] file = ...) and reload."
            )
            return self.info()
        outcome = self._in_force.reload(self._configured)
        if isinstance(outcome, RulesRefused):
            problems = outcome.error.problems
            kept = describe(outcome.kept)
            self._funnel.error(
                f"The rule set {self._configured} was refused ({len(problems)} problem"
                f"{'s' if len(problems) != 1 else ''}; first: {problems[0]}). "
                f"{kept.label.removeprefix('Rules: ')} stays in force. Fix the file (check it "
                f"with 'infusion-monitor rules check {self._configured}'), then reload it."
            )
        else:
            self._funnel.info(
                f"Rule set now in force: {self.info().label.removeprefix('Rules: ')}."
            )
        return self.info()
