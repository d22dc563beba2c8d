"""Alembic migrations of the Infusion Monitor schema (run by ``storage.migrate``)."""
