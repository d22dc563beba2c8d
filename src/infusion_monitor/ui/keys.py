"""The keyboard model of the chair-side window: bare letters type or move focus, never act.

A key that records, acknowledges or resolves carries a modifier no word can contain (Ctrl+Shift+A
acknowledges). The bare letters V, S, G and N only move focus (or open the set-up form), and only
while no field that takes typing has focus: :class:`TypingGuard` hands every unmodified printable
key to the focused field (text, number, pick list, table) before any shortcut can see it, so "v"
in the ACVPU list picks Voice and "a" in "rash" is a letter.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

#: Widgets that take typed letters: a letter there is text (or a pick-list search), never a key.
TYPING_WIDGETS = (
    QLineEdit,
    QAbstractSpinBox,
    QComboBox,
    QTextEdit,
    QPlainTextEdit,
    QAbstractItemView,
)
#: Modifiers a typed character may carry (Shift for capitals, the keypad for digits).
_TYPING_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
#: The deliberate key for acknowledging the shown alert (or its button on the band).
ACKNOWLEDGE_KEY = "Ctrl+Shift+A"


def is_typing_widget(widget: QWidget | None) -> bool:
    """Whether ``widget`` takes typed letters (a field, a pick list, a table)."""
    return isinstance(widget, TYPING_WIDGETS)


def typed_character(event: QKeyEvent) -> bool:
    """Whether the key event types a character (no Ctrl, Alt or Meta with it)."""
    text = event.text()
    extra = event.modifiers() & ~_TYPING_MODIFIERS
    return bool(text) and text.isprintable() and extra == Qt.KeyboardModifier.NoModifier


class TypingGuard(QObject):
    """Application event filter: a typed character goes to the focused field, not a shortcut."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Accept the shortcut override of a typed character while a typing widget has focus."""
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and typed_character(event)
            and is_typing_widget(QApplication.focusWidget())
        ):
            event.accept()
            return True
        return False


def focus_key(key: str, parent: QWidget, move: Callable[[], None]) -> QShortcut:
    """A bare-letter key of ``parent``'s window that only moves focus (``move``).

    It does nothing while a typing widget has focus (the letter belongs to that field).
    """
    shortcut = QShortcut(QKeySequence(key), parent)
    shortcut.setContext(Qt.ShortcutContext.WindowShortcut)

    def activated() -> None:
        if not is_typing_widget(QApplication.focusWidget()):
            move()

    shortcut.activated.connect(activated)
    return shortcut


def install_typing_guard(app: QApplication) -> TypingGuard:
    """Install the guard once for the application (later calls return the same one)."""
    guard = app.findChild(TypingGuard)
    if guard is None:
        guard = TypingGuard(app)
        app.installEventFilter(guard)
    return guard
