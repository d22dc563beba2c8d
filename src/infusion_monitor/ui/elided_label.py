"""A one-line label that shortens its text with "…" when narrow; the full text is its tooltip."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

#: The narrowest an elided label asks to be (a few characters and the ellipsis).
ELIDED_MIN_CHARS = 8


class ElidedLabel(QLabel):
    """Shows as much of its text as fits; never forces its parent wider than a few characters.

    ``text()`` is always the whole text (tests and screen readers read it); the tooltip repeats
    it whenever the label is too narrow to show all of it.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._tip = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)

    @property
    def elided(self) -> bool:
        """Whether the label is too narrow for its whole text."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def shown_text(self) -> str:
        """The text as painted now (with "…" when it did not fit)."""
        return self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width()
        )

    def minimumSizeHint(self) -> QSize:
        """A few characters wide, whatever the text."""
        hint = super().minimumSizeHint()
        width = self.fontMetrics().horizontalAdvance("M" * ELIDED_MIN_CHARS)
        margins = self.contentsMargins()
        return QSize(min(hint.width(), width + margins.left() + margins.right()), hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint the elided text (the style sheet's colours and padding still apply)."""
        painter = QPainter(self)
        self.drawFrame(painter)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            self.shown_text(),
            self.foregroundRole(),
        )
        painter.end()

    def setText(self, text: str) -> None:
        """Set the whole text (shown shortened when it does not fit)."""
        super().setText(text)
        self._update_tip()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The tooltip follows whether the text fits."""
        super().resizeEvent(event)
        self._update_tip()

    def setToolTip(self, tip: str) -> None:
        """A tooltip of its own; the whole text is put before it while the text is shortened."""
        self._tip = tip
        self._update_tip()

    def _update_tip(self) -> None:
        parts = [self.text()] if self.elided else []
        if self._tip:
            parts.append(self._tip)
        super().setToolTip("\n".join(parts))
