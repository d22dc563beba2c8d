"""Sign-in: first administrator, PIN rules, audited attempts, lock-out read from the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from infusion_monitor.domain.clock import FakeClock
from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.services.staff.accounts import StaffService
from infusion_monitor.services.staff.credentials import FieldError, SignInFailed, check_pin
from infusion_monitor.services.staff.sign_in import (
    AccountLocked,
    AuthService,
    FirstRunDone,
    NotSignedIn,
    SignInState,
)
from infusion_monitor.storage.audit import verify_audit_chain
from infusion_monitor.storage.database import Database
from infusion_monitor.storage.models import AuditEntry, Nurse

from .conftest import WORKSTATION


def _actions(database: Database) -> list[tuple[str, str, str | None]]:
    with database.sessions() as db:
        return [
            (row.action, row.entity_id, row.actor_role)
            for row in db.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]


def test_first_run_until_an_administrator_exists(auth: AuthService, database: Database) -> None:
    assert auth.needs_first_run()
    admin = auth.create_first_administrator(" a1 ", "Al  Admin", "123456")
    assert admin == Actor("A1", "Al Admin", Role.ADMINISTRATOR, WORKSTATION)
    assert not auth.needs_first_run()
    with pytest.raises(FirstRunDone):
        auth.create_first_administrator("A2", "Second", "1234")
    assert _actions(database) == [("staff.create", "A1", "administrator")]


def test_pin_is_hashed_never_stored_or_audited(admin: Actor, database: Database) -> None:
    with database.sessions() as db:
        stored = db.scalar(select(Nurse.pin_hash).where(Nurse.staff_id == "A1"))
        audit_text = str([(r.before, r.after) for r in db.scalars(select(AuditEntry))])
    assert stored is not None and stored.startswith("$argon2id$")
    assert "1234" not in stored and "1234" not in audit_text


@pytest.mark.parametrize("pin", ["", "123", "123456789", "12a4", " 1234", "١٢٣٤", "12 34"])
def test_pin_must_be_four_to_eight_ascii_digits(pin: str) -> None:
    with pytest.raises(FieldError, match="PIN must be 4 to 8 digits") as caught:
        check_pin(pin)
    assert caught.value.field == "PIN"


def test_sign_in_with_the_right_pin_is_audited(
    auth: AuthService, admin: Actor, database: Database
) -> None:
    assert auth.sign_in("a1", "1234") == admin
    assert _actions(database)[-1] == ("auth.sign_in", "A1", "administrator")


@pytest.mark.parametrize(("staff_id", "entity_id"), [("A1", "A1"), ("NOBODY", "?"), ("12 34", "?")])
def test_wrong_pin_or_unknown_id_fails_the_same_way(
    auth: AuthService, admin: Actor, database: Database, staff_id: str, entity_id: str
) -> None:
    with pytest.raises(SignInFailed, match="Staff ID or PIN not recognised"):
        auth.sign_in(staff_id, "9999")
    assert _actions(database)[-1] == ("auth.sign_in_failed", entity_id, None)


def test_five_wrong_pins_lock_the_account_until_the_time_passes(
    auth: AuthService, admin: Actor, clock: FakeClock, database: Database
) -> None:
    for _ in range(4):
        with pytest.raises(SignInFailed) as caught:
            auth.sign_in("A1", "0000")
        assert not isinstance(caught.value, AccountLocked)
    with pytest.raises(AccountLocked, match="locked until"):
        auth.sign_in("A1", "0000")
    assert _actions(database)[-1][0] == "auth.locked_out"
    with pytest.raises(AccountLocked):
        auth.sign_in("A1", "1234")  # even the right PIN, while locked
    assert _actions(database)[-1][0] == "auth.sign_in_refused_locked"
    clock.advance(timedelta(minutes=5))
    assert auth.sign_in("A1", "1234") == admin
    with database.sessions() as db:
        assert verify_audit_chain(db) is None


def test_lock_out_survives_a_restart_and_ends_with_a_pin_reset(
    auth: AuthService, admin: Actor, staff: StaffService, database: Database, clock: FakeClock
) -> None:
    staff.add_staff(admin, "N7", "Nia Nurse", Role.NURSE, "1111")
    for _ in range(5):
        with pytest.raises(SignInFailed):
            auth.sign_in("N7", "2222")
    restarted = AuthService(database.sessions, clock, workstation="other", hasher=auth.hasher)
    with pytest.raises(AccountLocked):
        restarted.sign_in("N7", "1111")
    staff.reset_pin(admin, "N7", "3333")
    assert restarted.sign_in("N7", "3333").staff_id == "N7"


def test_a_success_resets_the_failure_count(auth: AuthService, admin: Actor) -> None:
    for _ in range(4):
        with pytest.raises(SignInFailed):
            auth.sign_in("A1", "0000")
    auth.sign_in("A1", "1234")
    for _ in range(4):
        with pytest.raises(SignInFailed) as caught:
            auth.sign_in("A1", "0000")
        assert not isinstance(caught.value, AccountLocked)


def test_sign_out_is_audited(auth: AuthService, admin: Actor, database: Database) -> None:
    auth.sign_out(admin, "locked")
    assert _actions(database)[-1] == ("auth.sign_out", "A1", "administrator")


def test_sign_in_state_tells_listeners_and_refuses_when_locked(admin: Actor) -> None:
    state = SignInState()
    seen: list[Actor | None] = []
    state.subscribe(seen.append)
    with pytest.raises(NotSignedIn):
        state.require_actor()
    state.set_actor(admin)
    assert state.require_actor() == admin
    state.set_actor(None)
    assert seen == [admin, None]


def test_an_account_disabled_after_its_sign_in_records_nothing_more(
    database: Database, clock: FakeClock, staff: StaffService, admin: Actor
) -> None:
    from care_world import case, running_chair, vitals_draft
    from infusion_monitor.services.staff.authors import AccountDisabled
    from infusion_monitor.storage.models import VitalSigns
    from session_helpers import NURSE

    data = case("V03")
    chair = running_chair(database, clock, data)  # NURSE signed in, set it up and started it
    staff.disable(admin, NURSE.staff_id)  # at another workstation, meanwhile
    with database.sessions() as db:
        before = len(db.scalars(select(VitalSigns)).all())
    draft = vitals_draft(data["observations"][0])
    with pytest.raises(AccountDisabled, match=r"N001 \(Ada Nurse\) was disabled .* nothing"):
        chair.vitals.record_vitals(NURSE, chair.session_id, draft, clock.now())
    with pytest.raises(AccountDisabled):
        chair.care.care.record_symptom(NURSE, chair.session_id, "urticaria")
    with database.sessions() as db:
        assert len(db.scalars(select(VitalSigns)).all()) == before
    assert chair.care.care.picture(chair.session_id).symptoms == ()
