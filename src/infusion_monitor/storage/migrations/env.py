"""Alembic environment: runs on the connection (and transaction) handed in by ``migrate.py``."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from infusion_monitor.storage import models
from infusion_monitor.storage.base import TZDateTime


def _render_item(kind: str, item: Any, _autogen_context: AutogenContext) -> str | Literal[False]:
    """Write TZDateTime as a plain timezone-aware DateTime, so revisions never import app code."""
    if kind == "type" and isinstance(item, TZDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=models.AppInfo.metadata,  # every mapped class shares Base.metadata
    render_as_batch=True,
    render_item=_render_item,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
