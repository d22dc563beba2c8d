"""Declarative base for every table: constraint naming, UTC-only datetimes, append-only rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, MetaData, event
from sqlalchemy.orm import DeclarativeBase, Mapper, ORMExecuteState, Session, object_session
from sqlalchemy.types import TypeDecorator

#: Deterministic constraint names, so Alembic batch migrations on SQLite can find them again.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class NaiveDateTimeError(ValueError):
    """A datetime without a time zone reached the database: a programming error, never stored."""


class AppendOnlyError(RuntimeError):
    """Code tried to change or delete a clinical record; corrections are new amending rows."""


class TZDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; naive values are refused.

    PostgreSQL keeps it in ``timestamp with time zone``. SQLite has no time zones, so the value is
    stored as naive UTC text (which sorts chronologically) and comes back marked as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive values; convert aware ones to UTC (naive UTC for SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDateTimeError(f"refusing naive datetime {value.isoformat()}: give a tzinfo")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime whatever the backend handed back."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base class of every mapped table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute as declared
        datetime: TZDateTime(),
        dict[str, Any]: JSON(),
    }


class AppendOnly:
    """Mixin for clinical records: once inserted, a row is never updated or deleted by the ORM.

    A correction is a new row that references the one it amends, with the reason and the author.
    """


def _append_only_error(cls: type, kind: str) -> AppendOnlyError:
    return AppendOnlyError(
        f"{cls.__name__} rows are append-only and cannot be {kind}; "
        "record a new row that amends the old one instead"
    )


@event.listens_for(AppendOnly, "before_update", propagate=True)
def _refuse_update(_mapper: Mapper[Any], _connection: object, target: AppendOnly) -> None:
    session = object_session(target)
    if session is None or session.is_modified(target, include_collections=False):
        raise _append_only_error(type(target), "updated")


@event.listens_for(AppendOnly, "before_delete", propagate=True)
def _refuse_delete(_mapper: Mapper[Any], _connection: object, target: AppendOnly) -> None:
    raise _append_only_error(type(target), "deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    """Also refuse ``update(Model)`` / ``delete(Model)`` statements run through any ORM session."""
    if not (state.is_update or state.is_delete):
        return
    for mapper in state.all_mappers:
        if issubclass(mapper.class_, AppendOnly):
            raise _append_only_error(mapper.class_, "updated" if state.is_update else "deleted")
