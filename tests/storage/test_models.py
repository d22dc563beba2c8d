"""The models on SQLite and PostgreSQL: UTC-only datetimes, append-only rows, optimistic locking."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from infusion_monitor.storage.base import AppendOnlyError, NaiveDateTimeError
from infusion_monitor.storage.models import InfusionSession, SessionEvent, VitalSigns

T0 = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
#: SQLite and PostgreSQL word a failed CHECK differently.
CHECK_FAILED = r"CHECK constraint failed|violates check constraint"
SessionFactory = Callable[[Session, datetime], InfusionSession]


def _vitals(session_id: int, nurse_id: int, **values: object) -> VitalSigns:
    return VitalSigns(
        session_id=session_id,
        taken_at=T0,
        entered_at=T0 + timedelta(minutes=1),
        entered_by_id=nurse_id,
        source="typed",
        **values,
    )


def test_naive_datetime_is_refused(add_session: SessionFactory, schema_engine: Engine) -> None:
    with Session(schema_engine) as db:
        infusion = add_session(db, T0)
        db.add(
            SessionEvent(
                session_id=infusion.id, type="start", at=datetime(2025, 1, 1, 8, 0), author_id=1
            )
        )
        with pytest.raises(StatementError) as caught:
            db.flush()
        assert isinstance(caught.value.orig, NaiveDateTimeError)


def test_aware_datetime_round_trips_as_utc(
    add_session: SessionFactory, schema_engine: Engine
) -> None:
    paris_winter = timezone(timedelta(hours=1))
    local = datetime(2025, 1, 1, 9, 15, 30, 123456, tzinfo=paris_winter)
    with Session(schema_engine) as db, db.begin():
        infusion = add_session(db, T0)
        db.add(SessionEvent(session_id=infusion.id, type="start", at=local, author_id=1))
    with Session(schema_engine) as db:
        stored = db.scalars(select(SessionEvent.at)).one()
        raw = db.execute(text("SELECT at FROM session_event")).scalar_one()
    assert stored == local
    assert stored.tzinfo is UTC
    assert stored.hour == 8
    if schema_engine.dialect.name == "sqlite":
        assert raw.startswith("2025-01-01 08:15:30")
    else:
        assert raw == local


def test_append_only_row_refuses_update(add_session: SessionFactory, schema_engine: Engine) -> None:
    with Session(schema_engine) as db:
        infusion = add_session(db, T0)
        vitals = _vitals(infusion.id, infusion.nurse_id, heart_rate=80)
        db.add(vitals)
        db.flush()
        vitals.heart_rate = 90
        with pytest.raises(AppendOnlyError, match="VitalSigns rows are append-only"):
            db.flush()


def test_append_only_row_refuses_delete(add_session: SessionFactory, schema_engine: Engine) -> None:
    with Session(schema_engine) as db:
        infusion = add_session(db, T0)
        vitals = _vitals(infusion.id, infusion.nurse_id, heart_rate=80)
        db.add(vitals)
        db.flush()
        db.delete(vitals)
        with pytest.raises(AppendOnlyError, match="cannot be deleted"):
            db.flush()


@pytest.mark.parametrize(
    "statement",
    [update(VitalSigns).values(heart_rate=1), delete(VitalSigns)],
    ids=["update", "delete"],
)
def test_append_only_table_refuses_bulk_statements(
    add_session: SessionFactory, schema_engine: Engine, statement: object
) -> None:
    with Session(schema_engine) as db, pytest.raises(AppendOnlyError):
        db.execute(statement)  # type: ignore[call-overload]


def test_correction_is_a_new_amending_row(
    add_session: SessionFactory, schema_engine: Engine
) -> None:
    with Session(schema_engine) as db, db.begin():
        infusion = add_session(db, T0)
        original = _vitals(infusion.id, infusion.nurse_id, temperature_c=37.0)
        db.add(original)
        db.flush()
        db.add(
            _vitals(
                infusion.id,
                infusion.nurse_id,
                temperature_c=37.8,
                amends_id=original.id,
                amend_reason="misread thermometer",
            )
        )
    with Session(schema_engine) as db:
        temps = db.scalars(select(VitalSigns.temperature_c).order_by(VitalSigns.id)).all()
    assert temps == [37.0, 37.8]


@pytest.mark.parametrize(
    "values",
    [
        {"temperature_c": 98.6},
        {"spo2": 101},
        {"acvpu": "X"},
        {"amends_id": None, "amend_reason": "reason without an amended row"},
    ],
    ids=["fahrenheit-in-celsius", "spo2-over-100", "bad-acvpu", "reason-without-amends"],
)
def test_check_constraints_refuse_implausible_rows(
    add_session: SessionFactory, schema_engine: Engine, values: dict[str, object]
) -> None:
    with Session(schema_engine) as db:
        infusion = add_session(db, T0)
        db.add(_vitals(infusion.id, infusion.nurse_id, **values))
        with pytest.raises(IntegrityError, match=CHECK_FAILED):
            db.flush()


def test_session_row_is_mutable_with_optimistic_lock(
    add_session: SessionFactory, schema_engine: Engine
) -> None:
    with Session(schema_engine) as db, db.begin():
        add_session(db, T0)
    with (
        Session(schema_engine, expire_on_commit=False) as first,
        Session(schema_engine, expire_on_commit=False) as second,
    ):
        with first.begin():
            mine = first.scalars(select(InfusionSession)).one()
        with second.begin():
            theirs = second.scalars(select(InfusionSession)).one()
        with first.begin():
            mine.state = "paused"
        assert mine.version == 2
        with pytest.raises(StaleDataError), second.begin():
            theirs.state = "completed"
    with Session(schema_engine) as db:
        assert db.scalars(select(InfusionSession.state)).one() == "paused"
