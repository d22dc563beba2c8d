"""Small typed event emitters (napari's evented models, without Qt).

An :class:`Emitter` calls its subscribers in the order they connected, on the thread that
emits: the unit model emits on the GUI thread only, so a widget's callback may touch widgets.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class Emitter(Generic[T]):
    """One kind of event with a typed payload; ``connect`` a callback, ``emit`` a payload."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callable[[T], object]] = []

    def connect(self, callback: Callable[[T], object]) -> Callable[[T], object]:
        """Call ``callback(payload)`` at every emission (returned, so it can be a decorator)."""
        self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callable[[T], object]) -> None:
        """Stop calling ``callback`` (nothing happens if it was not connected)."""
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, payload: T) -> None:
        """Call every subscriber with ``payload``.

        A subscriber that raises is logged and the others still hear the event (one broken
        panel must not keep an alarm off the header); the first error is raised afterwards.
        """
        failed: Exception | None = None
        for callback in list(self._callbacks):
            try:
                callback(payload)
            except Exception as exc:
                log.exception("a subscriber of %s failed", self.name)
                failed = failed or exc
        if failed is not None:
            raise failed
