"""What one transaction may remember about itself, forgotten whenever any part of it rolls back.

A use case that writes many rows in one transaction (the monitor gateway's group commit) keeps
asking the same questions: the audit chain's head, the acting staff row, whether a NOTIFY is
queued. :func:`transaction_memo` gives each question a dict that lives only as long as the
answers are certain: it is emptied when the transaction commits or rolls back, and when a
savepoint inside it rolls back (the rows written since, and locks taken since, are gone).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_INFO_KEY = "transaction_memo"


def transaction_memo(db: Session, name: str) -> dict[Any, Any]:
    """The dict called ``name`` for ``db``'s current transaction (empty at first)."""
    memos: dict[str, dict[Any, Any]] | None = db.info.get(_INFO_KEY)
    if memos is None:
        memos = {}
        db.info[_INFO_KEY] = memos

        def forget(_db: Session, _transaction: SessionTransaction) -> None:
            memos.clear()

        def ended(_db: Session, transaction: SessionTransaction) -> None:
            if transaction.parent is None:  # the whole transaction, not a savepoint
                memos.clear()

        event.listen(db, "after_soft_rollback", forget)  # any rollback, savepoints included
        event.listen(db, "after_transaction_end", ended)
    return memos.setdefault(name, {})
