"""What a local use case changed, as the record the model applies.

TEMPORARY (issue 16b, until 16a's outcomes carry ``changes``): when an outcome has no
``changes`` field, :func:`changes_of` derives the record from what the controller knows, erring
on the side of naming more (a re-read too many costs a query; one too few leaves a screen
behind). Once every outcome carries its record, only the first branch remains.
"""

from __future__ import annotations

from infusion_monitor.domain.changes import Changes


def changes_of(outcome: object, session_id: int, *, board: bool = False) -> Changes:
    """The record of ``outcome`` (its own when it carries one), for ``session_id``."""
    carried = getattr(outcome, "changes", None)
    if isinstance(carried, Changes):
        return carried
    ids = frozenset({session_id})
    # A lifecycle change, a vitals set or a care step is assessed in its own commit: the
    # session, its care and its alert may all have moved.
    return Changes(sessions=ids, vitals=ids, care=ids, alerts=ids, board=board)
