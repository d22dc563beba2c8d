"""Shows the message funnel's messages as banners inside the window, never as a modal dialog."""

from __future__ import annotations

import functools
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from infusion_monitor.services.messages import Message, MessageFunnel
from infusion_monitor.ui.theme import MESSAGE_STYLES

MAX_BANNERS = 4


class MessageBanner(QFrame):
    """One message: level word and symbol, the text, its action button if any, and Dismiss."""

    dismissed = Signal()

    def __init__(self, message: Message, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBanner")
        self.message = message
        word, ink, fill, edge = MESSAGE_STYLES[message.level.value]
        self.setStyleSheet(
            f"#MessageBanner {{ background: {fill}; border: 2px solid {edge};"
            f" border-left: 10px solid {edge}; border-radius: 6px; }}"
            f" #MessageBanner QLabel {{ color: {ink}; }}"
        )
        level = QLabel(word)
        level.setObjectName("MessageLevel")
        text = QLabel(message.text)
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addWidget(level, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(text, 1)
        if message.action is not None:
            act = QPushButton(message.action.label)
            act.clicked.connect(message.action.run)
            layout.addWidget(act, 0, Qt.AlignmentFlag.AlignTop)
        dismiss = QPushButton("Dismiss")
        dismiss.setToolTip("Hide this message")
        dismiss.clicked.connect(self.dismissed)
        layout.addWidget(dismiss, 0, Qt.AlignmentFlag.AlignTop)


class MessageArea(QWidget):
    """A stack of banners above the chair board; the oldest goes when there are too many."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(16, 8, 16, 0)
        self._layout.setSpacing(6)
        self.setVisible(False)
        self._banners: list[MessageBanner] = []

    @property
    def banners(self) -> tuple[MessageBanner, ...]:
        """The banners currently shown, oldest first."""
        return tuple(self._banners)

    def show_message(self, message: Message) -> None:
        """Add a banner for ``message``."""
        while len(self._banners) >= MAX_BANNERS:
            self._remove(self._banners[0])
        banner = MessageBanner(message, self)
        banner.dismissed.connect(functools.partial(self._remove, banner))
        self._layout.addWidget(banner)
        self._banners.append(banner)
        self.setVisible(True)

    def dismiss_where(self, outdated: Callable[[Message], bool]) -> None:
        """Take away the banners whose message is ``outdated`` (a refusal since put right)."""
        for banner in [b for b in self._banners if outdated(b.message)]:
            self._remove(banner)

    def _remove(self, banner: MessageBanner) -> None:
        self._banners.remove(banner)
        self._layout.removeWidget(banner)
        banner.hide()  # the window sees its focused Dismiss button go and takes the focus home
        banner.deleteLater()
        self.setVisible(bool(self._banners))


class MessageBridge(QObject):
    """Carries funnel messages into the GUI thread as a signal, whichever thread posted them."""

    message_posted = Signal(object)

    def __init__(self, funnel: MessageFunnel, area: MessageArea) -> None:
        super().__init__(area)
        self._funnel = funnel
        self.message_posted.connect(area.show_message)
        funnel.attach(self.message_posted.emit)

    def detach(self) -> None:
        """Stop receiving messages; the funnel keeps later ones until another window attaches."""
        self._funnel.detach()
