"""The one funnel for messages to the user: info, warnings and errors, buffered until shown.

Anything may post a message at any time, even before the window exists (qutebrowser's
``utils/message.py`` idea, without a global). The window attaches a sink once it is up; the
messages posted so far are delivered to it in order, then every new one as it comes.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


class Level(enum.Enum):
    """How much a message matters; the window shows each with its own word and colour."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class MessageAction:
    """A button offered with a message, e.g. "View report"."""

    label: str
    run: Callable[[], object]


@dataclass(frozen=True)
class Message:
    """One message for the user: plain sentences, never a patient identifier in logs."""

    level: Level
    text: str
    action: MessageAction | None = None


Sink = Callable[[Message], None]


class MessageFunnel:
    """Collects messages and hands them to the attached sink, keeping them until there is one."""

    def __init__(self) -> None:
        self._pending: list[Message] = []
        self._sink: Sink | None = None

    def info(self, text: str, action: MessageAction | None = None) -> None:
        """Tell the user something worth knowing."""
        self.post(Message(Level.INFO, text, action))

    def warning(self, text: str, action: MessageAction | None = None) -> None:
        """Tell the user about a problem that does not stop the work."""
        self.post(Message(Level.WARNING, text, action))

    def error(self, text: str, action: MessageAction | None = None) -> None:
        """Tell the user something failed and what to do about it."""
        self.post(Message(Level.ERROR, text, action))

    def post(self, message: Message) -> None:
        """Deliver ``message`` now if a sink is attached, otherwise keep it for later."""
        log.log(_LOG_LEVELS[message.level], "message to user (%s)", message.level.value)
        if self._sink is None:
            self._pending.append(message)
        else:
            self._sink(message)

    def attach(self, sink: Sink) -> None:
        """Start delivering to ``sink``, first the messages kept so far."""
        self._sink = sink
        pending, self._pending = self._pending, []
        for message in pending:
            sink(message)

    def detach(self) -> None:
        """Stop delivering (the window is closing); later messages are kept again."""
        self._sink = None


_LOG_LEVELS = {Level.INFO: logging.INFO, Level.WARNING: logging.WARNING, Level.ERROR: logging.ERROR}
