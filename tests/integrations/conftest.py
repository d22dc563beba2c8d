"""The service fixtures (database, clock, signed-in actors) for the export tests."""

from services.conftest import admin, auth, charge, clock, database, hasher, nurse, staff

__all__ = ["admin", "auth", "charge", "clock", "database", "hasher", "nurse", "staff"]
