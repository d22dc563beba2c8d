"""A finding: which rule fired, for which pathway, on what evidence, from which source."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """The answer to "why?": evidence is values with thresholds, symptoms with their onset."""

    rule: str
    pathway: str | None
    evidence: tuple[str, ...]
    source: str

    def to_json(self) -> dict[str, object]:
        """The finding as in rules-spec §6."""
        return {
            "rule": self.rule,
            "pathway": self.pathway,
            "evidence": list(self.evidence),
            "source": self.source,
        }
