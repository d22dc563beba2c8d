"""The state of a session at one moment: current observation, derived signs, active symptoms."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from infusion_monitor.domain.symptoms import SITE_REACTION, SYMPTOMS, Symptom
from infusion_monitor.domain.vitals import Acvpu, VitalSigns
from infusion_monitor.rules.derived import DerivedSigns
from infusion_monitor.rules.inputs import SymptomEntry, minute_label

#: The moment of the baseline, before any entry.
BEFORE_ANY = -(2**62)


#: Nothing known yet: every value None.
NOTHING = VitalSigns(None, None, None, None, None, None, on_oxygen=None, acvpu=None)


def newer_over(older: VitalSigns, newer: VitalSigns) -> VitalSigns:
    """Each value of ``newer``, or of ``older`` where ``newer`` has none."""
    kept = {
        f.name: getattr(older, f.name) for f in fields(VitalSigns) if getattr(newer, f.name) is None
    }
    return replace(newer, **kept)


@dataclass(frozen=True, slots=True)
class Current:
    """The observation in force (``t`` None: the baseline) and the signs it shows.

    ``earlier`` holds, for each value, the latest one among the entries before this one (the
    earlier observations newest first, then the baseline); a value none of them has is None.
    It is what a value missing now is carried from (rules-spec §2, "Carried values").
    """

    t: int | None
    vitals: VitalSigns
    signs: DerivedSigns
    earlier: VitalSigns = NOTHING

    @property
    def acvpu(self) -> Acvpu:
        """ACVPU as the rules read it: given, else carried, else "A"."""
        return self.vitals.acvpu or self.earlier.acvpu or Acvpu.A

    @property
    def on_oxygen(self) -> bool:
        """The oxygen flag as the rules read it: given, else carried, else air."""
        flag = self.vitals.on_oxygen
        return bool(self.earlier.on_oxygen) if flag is None else flag


def symptom_evidence(entry: SymptomEntry) -> str:
    """``urticaria since minute 38``."""
    return f"{entry.code} since {minute_label(entry.onset)}"


@dataclass(frozen=True, slots=True)
class Moment:
    """Everything that holds at second ``t``.

    ``active`` are the symptoms active now with an onset at or after minute 0 (site reactions
    included); ``ended`` is when the infusion ended or was discontinued, if at or before ``t``.
    """

    t: int
    current: Current
    active: tuple[SymptomEntry, ...]
    ended: int | None

    def reaction_symptoms(self) -> list[tuple[SymptomEntry, Symptom]]:
        """Active symptoms that are reaction features, with their catalogue entries."""
        return [(e, SYMPTOMS[e.code]) for e in self.active if e.code != SITE_REACTION]

    def feature_keys(self) -> frozenset[int | str]:
        """Identities of the active reaction features: symptom keys and sign names."""
        keys: set[int | str] = {entry.key for entry, _ in self.reaction_symptoms()}
        keys.update(name for name, sign in self.current.signs.shown().items() if sign.active)
        return frozenset(keys)

    def feature_evidence(self) -> list[str]:
        """Evidence of every active reaction feature."""
        symptoms = [symptom_evidence(entry) for entry, _ in self.reaction_symptoms()]
        return symptoms + [s.evidence for s in self.current.signs.shown().values() if s.active]

    def has_feature(self) -> bool:
        """True while any reaction feature is active."""
        return bool(self.reaction_symptoms()) or any(
            sign.active for sign in self.current.signs.shown().values()
        )

    def has_symptom(self, code: str) -> bool:
        """True while a symptom with ``code`` is active."""
        return any(entry.code == code for entry in self.active)
