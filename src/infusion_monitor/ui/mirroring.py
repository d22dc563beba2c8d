"""A tool window that mirrors one event of the unit model while it exists.

The unit board and the unit settings window show what the model reads only while one of them is
open: the window tells the model it watches, subscribes to the model's event, asks a read at
once, and undoes both when it is deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QWidget

from infusion_monitor.model.events import Emitter

T = TypeVar("T")
W = TypeVar("W", bound=QWidget)


def mirror_while_open(
    window: W,
    event: Emitter[T],
    show: Callable[[T], object],
    watch: Callable[[bool], None],
    read: Callable[[], None],
) -> W:
    """Let ``show`` (of ``window``) hear ``event`` while ``window`` exists; ``watch(True)`` now
    and ``watch(False)`` once it is deleted; ``read`` asks the model's read at once."""
    watch(True)
    event.connect(show)

    def forget(*_args: object) -> None:
        event.disconnect(show)
        watch(False)

    window.destroyed.connect(forget)
    read()
    return window
