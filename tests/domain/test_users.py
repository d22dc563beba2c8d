"""Roles decide what a member of staff may do; a refusal says who may."""

from __future__ import annotations

import pytest

from infusion_monitor.domain.users import Actor, Permission, PermissionDenied, Role

NURSE = Actor("N100", "Ada Nurse", Role.NURSE)
CHARGE = Actor("C200", "Cy Charge", Role.CHARGE_NURSE)
ADMIN = Actor("A1", "Al Admin", Role.ADMINISTRATOR)


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        (NURSE, {Permission.CARE}),
        (
            CHARGE,
            {
                Permission.CARE,
                Permission.REVIEW,
                Permission.EXPORT,
                Permission.AUDIT,
                Permission.CONFIGURE_UNIT,
            },
        ),
        (ADMIN, {Permission.AUDIT, Permission.MANAGE_STAFF, Permission.CONFIGURE_UNIT}),
    ],
)
def test_each_role_has_exactly_its_permissions(actor: Actor, allowed: set[Permission]) -> None:
    assert {permission for permission in Permission if actor.can(permission)} == allowed


def test_a_refusal_names_the_person_the_action_and_who_may() -> None:
    with pytest.raises(PermissionDenied) as caught:
        NURSE.require(Permission.EXPORT)
    assert str(caught.value) == (
        "Ada Nurse (nurse) may not export or print sessions; sign in as a charge nurse."
    )
    CHARGE.require(Permission.EXPORT)
