"""A layout that lines its widgets up left to right and wraps them onto more lines when narrow.

After Qt's own Flow Layout example: a narrow session view gets two or three short lines of
fields instead of one row wider than the screen. Items keep their size hint; the layout's
minimum width is its widest item, and its height follows the width (``heightForWidth``).
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLabel, QLayout, QLayoutItem, QWidget

FLOW_SPACING_PX = 8


class FlowLayout(QLayout):
    """Widgets in reading order, wrapped to the width available."""

    def __init__(self, parent: QWidget | None = None, spacing: int = FLOW_SPACING_PX) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addItem(self, item: QLayoutItem) -> None:
        """Qt adds every widget through this."""
        self._items.append(item)

    def count(self) -> int:
        """How many items."""
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        """The item at ``index`` or None."""
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        """Remove and return the item at ``index``."""
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        """Never asks for more room than its lines need."""
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        """The height depends on how many lines the width allows."""
        return True

    def heightForWidth(self, width: int) -> int:
        """The height of the lines at ``width``."""
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:
        """Place the items in lines within ``rect``."""
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self) -> QSize:
        """Everything on one line."""
        width = sum(i.sizeHint().width() for i in self._visible()) + self._gap * max(
            0, len(self._visible()) - 1
        )
        height = max((i.sizeHint().height() for i in self._visible()), default=0)
        margins = self.contentsMargins()
        return QSize(
            width + margins.left() + margins.right(), height + margins.top() + margins.bottom()
        )

    def minimumSize(self) -> QSize:
        """As wide as the widest item (every item on its own line at worst)."""
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    @staticmethod
    def _size(item: QLayoutItem, room: int) -> QSize:
        """The item's size hint; a wrapping label gets its one-line width, at most ``room``."""
        size = item.sizeHint()
        widget = item.widget()
        if isinstance(widget, QLabel) and widget.wordWrap():
            margins = widget.contentsMargins()
            one_line = widget.fontMetrics().horizontalAdvance(widget.text()) + 2 * widget.margin()
            size.setWidth(one_line + margins.left() + margins.right() + 2)
            if size.width() <= room:
                size.setHeight(item.heightForWidth(size.width()))
        if size.width() > room > 0:  # too long for a line: it wraps within the whole line
            width = max(room, item.minimumSize().width())
            height = item.heightForWidth(width) if item.hasHeightForWidth() else -1
            size = QSize(width, height if height > 0 else size.height())
        return size

    def _visible(self) -> list[QLayoutItem]:
        """The items that take room: shown widgets, hidden ones that keep their size, spacers."""
        return [i for i in self._items if i.widget() is None or not i.isEmpty()]

    def _arrange(self, rect: QRect, *, apply: bool) -> int:
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        line: list[tuple[QLayoutItem, QPoint, QSize]] = []
        placed: list[tuple[QLayoutItem, QPoint, QSize, int]] = []
        for item in self._visible():
            size = self._size(item, area.width())
            if line and x + size.width() > area.right() + 1:
                placed += [(i, p, s, line_height) for i, p, s in line]
                line = []
                x, y = area.x(), y + line_height + self._gap
                line_height = 0
            line.append((item, QPoint(x, y), size))
            x += size.width() + self._gap
            line_height = max(line_height, size.height())
        placed += [(i, p, s, line_height) for i, p, s in line]
        if apply:
            for item, point, size, _height in placed:
                item.setGeometry(QRect(point, size))
        return y + line_height - rect.y() + margins.bottom()
