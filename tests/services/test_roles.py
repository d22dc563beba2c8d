"""Every service use case refuses a user without the right role, before touching anything.

Use cases are found generically: every public function or method in ``services/`` with a
parameter ``actor: Actor``. New services (sessions, vitals, ...) are covered as they land.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

import infusion_monitor.services
from infusion_monitor.demo import seed_demo
from infusion_monitor.domain.users import Actor, Permission, PermissionDenied, Role
from infusion_monitor.services.review.gate import ReviewService, SessionNotReviewable
from infusion_monitor.storage.database import Database
from infusion_monitor.storage.models import AuditEntry, InfusionSession

#: Functions that take an actor but are not role-checked use cases, and why.
NOT_USE_CASES = {
    "infusion_monitor.services.audit.record": "the audit helper the use cases call",
    "infusion_monitor.services.staff.sign_in.AuthService.sign_out": (
        "anyone may leave the workstation"
    ),
    "infusion_monitor.services.staff.sign_in.SignInState.set_actor": "remembers who signed in",
    "infusion_monitor.services.staff.authors.author_row": (
        "finds the staff row inside a use case's work"
    ),
    "infusion_monitor.services.staff.authors.still_active": (
        "refuses, inside a use case's work, an account disabled since its sign-in"
    ),
    "infusion_monitor.services.sessions.setup.patient_for": (
        "finds the patient inside set_up's work"
    ),
}


def _use_cases() -> Iterator[tuple[str, Callable[..., Any], type | None]]:
    package = infusion_monitor.services
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        module = importlib.import_module(info.name)
        for name, member in vars(module).items():
            if name.startswith("_") or getattr(member, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(member):
                yield f"{module.__name__}.{name}", member, None
            elif inspect.isclass(member):
                for method_name, method in vars(member).items():
                    if not method_name.startswith("_") and inspect.isfunction(method):
                        yield f"{module.__name__}.{name}.{method_name}", method, member


def _takes_an_actor(function: Callable[..., Any]) -> bool:
    """A parameter ``actor`` typed as :class:`Actor` (helpers that take a staff-ID string don't)."""
    parameter = inspect.signature(function).parameters.get("actor")
    return parameter is not None and parameter.annotation in ("Actor", Actor)


USE_CASES = sorted(
    (qualname, function, owner)
    for qualname, function, owner in _use_cases()
    if _takes_an_actor(function) and qualname not in NOT_USE_CASES
)


class _Checked(Exception):
    """Raised by the spy actor at its first permission check."""

    def __init__(self, permission: Permission) -> None:
        super().__init__(permission)
        self.permission = permission


@dataclass(frozen=True)
class _SpyActor(Actor):
    def require(self, permission: Permission) -> None:
        raise _Checked(permission)


def _call(function: Callable[..., Any], owner: type | None, actor: Actor) -> Any:
    """Call with ``actor`` and a placeholder for every other argument, on a bare instance."""
    arguments: dict[str, Any] = {}
    for name, parameter in inspect.signature(function).parameters.items():
        if name == "self":
            arguments[name] = object.__new__(owner) if owner else None
        elif name == "actor":
            arguments[name] = actor
        elif parameter.default is inspect.Parameter.empty:
            arguments[name] = None
    return function(**arguments)


def test_the_discovery_finds_the_known_use_cases() -> None:
    names = {qualname for qualname, _, _ in USE_CASES}
    assert {
        "infusion_monitor.services.staff.accounts.StaffService.add_staff",
        "infusion_monitor.services.staff.accounts.StaffService.reset_pin",
        "infusion_monitor.services.staff.accounts.StaffService.change_role",
        "infusion_monitor.services.staff.accounts.StaffService.list_staff",
        "infusion_monitor.services.audit.AuditService.entries",
        "infusion_monitor.services.audit.AuditService.verify",
        "infusion_monitor.services.review.gate.ReviewService.open_record",
        "infusion_monitor.services.review.gate.ReviewService.open_for_export",
    } <= names


@pytest.mark.parametrize(
    ("function", "owner"),
    [(function, owner) for _, function, owner in USE_CASES],
    ids=[qualname.removeprefix("infusion_monitor.services.") for qualname, _, _ in USE_CASES],
)
def test_use_case_checks_the_role_first_and_refuses_the_wrong_ones(
    function: Callable[..., Any], owner: type | None
) -> None:
    with pytest.raises(_Checked) as checked:
        _call(function, owner, _SpyActor("SPY", "Spy", Role.NURSE))
    permission = checked.value.permission
    refused = [role for role in Role if not Actor("X", "X", role).can(permission)]
    assert refused, f"{permission} is allowed to every role: is it a real check?"
    for role in refused:
        with pytest.raises(PermissionDenied):
            _call(function, owner, Actor("X1", "Someone", role))


@pytest.fixture
def finished_session(database: Database) -> int:
    """The demo data with the observation session completed; returns its id."""
    from datetime import UTC, datetime

    seed_demo(database.sessions, ("Chair 1", "Chair 2", "Chair 3", "Chair 4"), datetime.now(UTC))
    with database.sessions.begin() as db:
        session = db.scalars(
            select(InfusionSession).where(InfusionSession.state == "observation")
        ).one()
        session.state = "completed"
        return session.id


def _audit_count(database: Database) -> int:
    with database.sessions() as db:
        return db.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_a_nurse_cannot_open_the_review_page_or_export(
    database: Database, clock: Any, nurse: Actor, finished_session: int
) -> None:
    review = ReviewService(database.sessions, clock)
    before = _audit_count(database)
    with pytest.raises(PermissionDenied, match="may not open the session review"):
        review.open_record(nurse, finished_session)
    with pytest.raises(PermissionDenied, match="may not export or print sessions"):
        review.open_for_export(nurse, finished_session, "pdf")
    assert _audit_count(database) == before


def test_a_charge_nurse_opens_a_finished_record_and_it_is_audited(
    database: Database, clock: Any, charge: Actor, finished_session: int
) -> None:
    review = ReviewService(database.sessions, clock)
    opened = review.open_record(charge, finished_session)
    assert opened.patient_name == "Henry Lindqvist"
    exported = review.open_for_export(charge, finished_session, "csv")
    assert exported.session_id == finished_session
    with database.sessions() as db:
        rows = db.execute(
            select(AuditEntry.action, AuditEntry.actor, AuditEntry.actor_role, AuditEntry.entity_id)
            .order_by(AuditEntry.id.desc())
            .limit(2)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("review.export", "C200", "charge_nurse", str(finished_session)),
        ("review.open_record", "C200", "charge_nurse", str(finished_session)),
    ]
    with database.sessions() as db:
        running = db.scalar(select(InfusionSession.id).where(InfusionSession.state == "running"))
    with pytest.raises(SessionNotReviewable):
        review.open_record(charge, running or 0)
