"""The unit's bed mappings: which chair a bedside monitor's bed label (PV1-3) means.

A monitor is configured with the bed it stands at, in its own spelling ("BED 03", "Chair3",
"ICU^^5^HOSPITAL"); a mapping says which chair that is, optionally only for one point of care
and facility. The gateway refuses values from a bed no mapping and no chair name matches,
naming the label. Charge nurses and administrators change the mappings; every change is
audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.changes import Changes
from infusion_monitor.domain.users import Actor, Permission
from infusion_monitor.errors import UserError
from infusion_monitor.services.audit import record as record_audit
from infusion_monitor.services.monitor.feed import same_label
from infusion_monitor.storage.changes import record_changes
from infusion_monitor.storage.models import BedMapping, Chair

#: Longest bed label, point of care or facility kept (the columns' length).
MAX_PART = 100


#: What configuring a bed changes: which chair a monitor feeds (the board and monitor sources).
BEDS_CHANGED = Changes(board=True, settings=True)


@dataclass(frozen=True)
class BedEntry:
    """One mapping as the command and the unit settings show it."""

    id: int
    bed_label: str
    point_of_care: str
    facility: str
    chair: str

    @property
    def where(self) -> str:
        """``ICU, XYZ HOSPITAL``, or ``any point of care`` when neither is set."""
        parts = [part for part in (self.point_of_care, self.facility) if part]
        return ", ".join(parts) if parts else "any point of care"


class BedMappingService:
    """List, add and remove bed mappings; one transaction each."""

    def __init__(self, sessions: sessionmaker[Session], chair_names: Sequence[str] = ()) -> None:
        self._sessions = sessions
        self._chair_names = tuple(chair_names)

    def mappings(self) -> tuple[BedEntry, ...]:
        """Every mapping, by chair then label."""
        with self._sessions() as db:
            rows = db.execute(
                select(BedMapping, Chair.name)
                .join(Chair, Chair.id == BedMapping.chair_id)
                .order_by(Chair.position, Chair.name, BedMapping.bed_label)
            ).all()
        return tuple(_entry(row, chair) for row, chair in rows)

    def add(
        self,
        actor: Actor,
        bed_label: str,
        chair: str,
        now: datetime,
        *,
        point_of_care: str = "",
        facility: str = "",
    ) -> BedEntry:
        """Map ``bed_label`` (at ``point_of_care`` of ``facility``, if given) to ``chair``."""
        actor.require(Permission.CONFIGURE_UNIT)
        label, poc, fac = (_part(text, what) for text, what in (
            (bed_label, "bed label"), (point_of_care, "point of care"), (facility, "facility")
        ))  # fmt: skip
        if not label:
            raise UserError("The bed label is empty: give the bed as the monitor sends it.")
        with self._sessions.begin() as db:
            record_changes(db, BEDS_CHANGED)
            target = self._chair(db, chair)
            wanted = tuple(map(same_label, (label, poc, fac)))
            for row in db.scalars(select(BedMapping)):
                if (
                    tuple(map(same_label, (row.bed_label, row.point_of_care, row.facility)))
                    == wanted
                ):
                    raise UserError(
                        f"Bed '{label}' ({_where(poc, fac)}) is already mapped; remove mapping "
                        f"{row.id} first."
                    )
            row = BedMapping(
                bed_label=label,
                point_of_care=poc,
                facility=fac,
                chair_id=target.id,
                created_at=now,
            )
            db.add(row)
            db.flush()
            entry = _entry(row, target.name)
            record_audit(
                db, actor, at=now, action="beds.add", entity="bed_mapping", entity_id=row.id,
                after=_audit(entry),
            )  # fmt: skip
        return entry

    def remove(self, actor: Actor, mapping_id: int, now: datetime) -> BedEntry:
        """Remove mapping ``mapping_id``; that bed's values are refused until mapped again."""
        actor.require(Permission.CONFIGURE_UNIT)
        with self._sessions.begin() as db:
            record_changes(db, BEDS_CHANGED)
            found = db.execute(
                select(BedMapping, Chair.name)
                .join(Chair, Chair.id == BedMapping.chair_id)
                .where(BedMapping.id == mapping_id)
            ).first()
            if found is None:
                raise UserError(f"There is no bed mapping {mapping_id} ('beds list' shows them).")
            row, chair = found
            entry = _entry(row, chair)
            db.delete(row)
            record_audit(
                db, actor, at=now, action="beds.remove", entity="bed_mapping",
                entity_id=mapping_id, before=_audit(entry),
            )  # fmt: skip
        return entry

    def _chair(self, db: Session, name: str) -> Chair:
        """The chair called ``name`` (any case), created if it is one of this unit's chairs."""
        wanted = same_label(name)
        for chair in db.scalars(select(Chair)):
            if same_label(chair.name) == wanted:
                return chair
        configured = [c for c in self._chair_names if same_label(c) == wanted]
        if not configured:
            known = ", ".join(self._chair_names) or "none configured"
            raise UserError(f"'{name}' is not a chair of this unit (chairs: {known}).")
        chair = Chair(name=configured[0], position=self._chair_names.index(configured[0]))
        db.add(chair)
        db.flush()
        return chair


def _part(text: str, what: str) -> str:
    cleaned = " ".join(text.split())
    if len(cleaned) > MAX_PART:
        raise UserError(f"The {what} is longer than {MAX_PART} characters.")
    if any(ch in cleaned for ch in "|^~\\&"):
        raise UserError(f"The {what} holds an HL7 separator (| ^ ~ \\ &): give one component.")
    return cleaned


def _where(point_of_care: str, facility: str) -> str:
    return ", ".join(p for p in (point_of_care, facility) if p) or "any point of care"


def _entry(row: BedMapping, chair: str) -> BedEntry:
    return BedEntry(row.id, row.bed_label, row.point_of_care, row.facility, chair)


def _audit(entry: BedEntry) -> dict[str, object]:
    return {
        "bed_label": entry.bed_label,
        "point_of_care": entry.point_of_care,
        "facility": entry.facility,
        "chair": entry.chair,
    }
