"""Helpers that make widgets fit a small screen: vertical scroll areas and narrow pick lists."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QComboBox, QFrame, QScrollArea, QWidget

#: Room kept for the vertical scroll bar.
SCROLL_BAR_PX = 16


class VerticalScroll(QScrollArea):
    """Scrolls up and down only; asks for the full minimum width of its content.

    A plain scroll area reports a tiny minimum size, so a window could be made narrower than
    its content and clip it without a horizontal scroll bar. This one passes the content's
    minimum width up, and only its height is allowed to scroll.
    """

    def __init__(self, widget: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(widget)

    def minimumSizeHint(self) -> QSize:
        """The content's minimum width (plus the scroll bar); a small height."""
        inner = self.widget()
        width = inner.minimumSizeHint().width() if inner is not None else 0
        return QSize(width + SCROLL_BAR_PX, super().minimumSizeHint().height())


def scrolled(widget: QWidget) -> VerticalScroll:
    """``widget`` in a frameless vertical scroll area (a tall tab never makes the window taller)."""
    return VerticalScroll(widget)


def compact_choice(combo: QComboBox, characters: int) -> None:
    """Keep a pick list ``characters`` wide in its row; the drop-down still shows whole words."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    combo.view().setMinimumWidth(combo.view().sizeHintForColumn(0) + 40)


def reveal(widget: QWidget) -> None:
    """Scroll every scroll area around ``widget`` so that it is in view (innermost first)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea) and parent.widget() is not widget:
            parent.ensureWidgetVisible(widget, 20, 20)
        parent = parent.parentWidget()
