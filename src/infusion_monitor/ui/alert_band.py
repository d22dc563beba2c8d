"""The alert band: priority in words and icon, IEC colours and flashing, and the ways to answer.

The session view shows it full width under the header; each chair tile shows a compact one. It
displays an :class:`~infusion_monitor.domain.alerts.Alert` and forwards intents; the times it
shows are computed from the stored times and ``now`` at every tick.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.domain.alerts import (
    Alert,
    AlertPolicy,
    AlertState,
    condition_label,
)
from infusion_monitor.domain.timing import format_duration
from infusion_monitor.ui.flow_layout import FlowLayout
from infusion_monitor.ui.keys import ACKNOWLEDGE_KEY
from infusion_monitor.ui.theme import (
    ALARM_PALE_INK,
    ALARM_STYLES,
    ALARM_WORDS_PX,
    INK,
    LABEL_PX,
    restyle,
)


class _InkLabel(QLabel):
    """A label whose text colour follows the flash without a style sheet of its own.

    Qt draws a label's text in the colour its style sheets give it (the page's ink for every
    label), whatever its palette; this label draws its plain text in its own ink instead. So a
    flash only repaints it: a new style sheet would restyle and lay out the band and the view
    around it, twice a second.
    """

    def __init__(self) -> None:
        super().__init__()
        self._ink = QColor()

    @property
    def ink(self) -> QColor:
        """The colour its text is drawn in (invalid: the style sheet's)."""
        return QColor(self._ink)

    def set_ink(self, ink: QColor) -> None:
        """Draw the text in ``ink`` from now on."""
        if ink != self._ink:
            self._ink = QColor(ink)
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        """The text as a label draws it, in the label's ink."""
        if not self._ink.isValid():
            super().paintEvent(event)
            return
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, self._ink)
        flags = QStyle.visualAlignment(self.layoutDirection(), self.alignment())
        if self.wordWrap():
            flags |= Qt.AlignmentFlag(Qt.TextFlag.TextWordWrap.value)
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(flags),
            palette,
            self.isEnabled(),
            self.text(),
            QPalette.ColorRole.WindowText,
        )
        painter.end()


def _half_period_ms(hz: float) -> int:
    """Milliseconds between colour changes for a flash of ``hz`` (one on and one off phase)."""
    return round(1000 / (2 * hz))


class AlertBand(QFrame):
    """One session's alert: ``!!! HIGH ▲ Anaphylaxis criteria met`` with its first step.

    ``compact`` is the chair tile's variant: words, icon and condition only, no buttons.
    """

    acknowledge_requested = Signal(int)
    #: (alert id, the nurse's reason): resolve an acknowledged alert.
    resolve_requested = Signal(int, str)
    why_requested = Signal()
    escalate_requested = Signal()

    def __init__(self, *, compact: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AlertBand")
        self._compact = compact
        self._alert: Alert | None = None
        self._policy = AlertPolicy()
        self._pale = False
        #: The band's fill in the phase shown (painted by ``paintEvent``, not a style sheet).
        self._fill = QColor()
        self._flash = QTimer(self)
        self._flash.timeout.connect(self._on_flash_timeout)

        self.words = _InkLabel()
        self.words.setObjectName("AlertWords")
        self.condition = _InkLabel()
        self.condition.setObjectName("AlertCondition")
        self.condition.setWordWrap(True)
        self.first_step = _InkLabel()
        self.first_step.setObjectName("AlertFirstStep")
        self.first_step.setWordWrap(True)
        self.status = _InkLabel()
        self.status.setObjectName("AlertStatus")
        self.status.setWordWrap(True)
        self.acknowledge = QPushButton(f"Acknowledge ({ACKNOWLEDGE_KEY})")
        self.acknowledge.setToolTip(f"Acknowledge this alert in your name ({ACKNOWLEDGE_KEY})")
        self.acknowledge.clicked.connect(self._on_acknowledge_clicked)
        self.why = QPushButton("Why?")
        self.why.setToolTip("Show the findings behind this alert, with evidence and sources")
        self.why.clicked.connect(self.why_requested)
        self.escalate = QPushButton("Escalate anyway")
        self.escalate.setToolTip("Tell the unit now, whatever the rules say")
        self.escalate.clicked.connect(self.escalate_requested)
        self.resolve = QPushButton("Resolve…")
        self.resolve.setToolTip(
            "Resolve this acknowledged alert by your decision; the reason is recorded"
        )
        self.resolve.clicked.connect(self._on_resolve_clicked)
        #: The reason asked for inline (never a dialog); Enter resolves, Esc cancels.
        self.resolve_reason = QLineEdit()
        self.resolve_reason.setPlaceholderText("Why is it resolved? (required) — Enter")
        self.resolve_reason.returnPressed.connect(self._on_resolve_confirmed)
        self.resolve_confirm = QPushButton("Resolve alert")
        self.resolve_confirm.clicked.connect(self._on_resolve_confirmed)
        self.resolve_cancel = QPushButton("Cancel")
        self.resolve_cancel.clicked.connect(self.cancel_resolve)
        self.resolve_row = QWidget()
        resolve_layout = QHBoxLayout(self.resolve_row)
        resolve_layout.setContentsMargins(0, 0, 0, 0)
        resolve_layout.addWidget(self.resolve_reason, 1)
        resolve_layout.addWidget(self.resolve_confirm)
        resolve_layout.addWidget(self.resolve_cancel)
        self.resolve_row.setVisible(False)

        top = QHBoxLayout()
        top.setSpacing(14)
        top.addWidget(self.words)
        top.addWidget(self.condition, 1)
        # The buttons come first and the status after them, wrapping onto the next line in a
        # narrow view, so nothing is ever clipped.
        buttons = FlowLayout(spacing=6)
        for button in (self.acknowledge, self.resolve, self.why, self.escalate):
            button.setVisible(not compact)
            buttons.addWidget(button)
        buttons.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 10, 8)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.first_step)
        layout.addLayout(buttons)
        layout.addWidget(self.resolve_row)
        self.first_step.setVisible(not compact)
        self.status.setVisible(not compact)
        self.setVisible(False)

    @property
    def alert(self) -> Alert | None:
        """The alert shown (None: the band is hidden)."""
        return self._alert

    @property
    def flash_interval_ms(self) -> int | None:
        """The flash timer's half period, or None when steady."""
        return self._flash.interval() if self._flash.isActive() else None

    @property
    def pale(self) -> bool:
        """Whether the band is in the pale phase of a flash."""
        return self._pale

    def show_alert(
        self,
        alert: Alert | None,
        now: datetime,
        *,
        first_step: str = "",
        policy: AlertPolicy | None = None,
    ) -> None:
        """Show ``alert`` (hide the band when None or resolved) with the first open step."""
        self._policy = policy or self._policy
        shown = alert if alert is not None and alert.open else None
        if shown is None or self._alert is None or shown.id != self._alert.id:
            self.cancel_resolve()
        self._alert = shown
        self.setVisible(shown is not None)
        if shown is None:
            self._flash.stop()
            self._pale = False
            return
        icon = ALARM_STYLES[shown.priority.code][0]
        self.words.setText(f"{shown.priority.words} {icon}")
        self.condition.setText(condition_label(shown.condition))
        self.first_step.setText(f"→ {first_step}" if first_step else "")
        # Room for two lines whatever the step: answering one (the next is longer) does not
        # push the tabs, and the Done buttons under the nurse's hand, down.
        self.first_step.ensurePolished()
        self.first_step.setMinimumHeight(2 * self.first_step.fontMetrics().lineSpacing())
        # Only the answer that applies now: Acknowledge while active, Resolve once acknowledged.
        acknowledged = shown.state is AlertState.ACKNOWLEDGED
        self.acknowledge.setVisible(not self._compact and shown.state is AlertState.ACTIVE)
        self.resolve.setVisible(not self._compact and acknowledged)
        if not acknowledged:
            self.cancel_resolve()
        if shown.flashing():
            interval = _half_period_ms(shown.priority.flash_hz)
            if not self._flash.isActive() or self._flash.interval() != interval:
                self._flash.start(interval)
        else:
            self._flash.stop()
            self._pale = False
        self.refresh(now)

    def refresh(self, now: datetime) -> None:
        """Recompute the waiting time and escalation from the stored times and ``now``."""
        alert = self._alert
        if alert is None:
            return
        raised = alert.raised_at.astimezone().strftime("%H:%M:%S")
        if alert.state is AlertState.ACTIVE:
            waited = format_duration(now - alert.raised_at)
            status = f"Raised {raised} · NOT ACKNOWLEDGED for {waited}"
        else:
            at = alert.acknowledged_at
            acked = at.astimezone().strftime("%H:%M:%S") if at is not None else "?"
            status = f"Raised {raised} · acknowledged by {alert.acknowledged_by} at {acked}"
        if alert.escalated(now, self._policy):
            status += " · ESCALATED to the unit"
        self.status.setText(status)
        tip = f"{alert.priority.words} {condition_label(alert.condition)}. {status}"
        self.setToolTip(tip)
        self._paint()

    def _paint(self) -> None:
        """Colour the band for its alert and the flash's phase.

        The style sheet depends on the priority only (edge, sizes); the phase's fill is painted
        and its ink set on the labels, so a flash costs a repaint, not a restyle."""
        alert = self._alert
        if alert is None:
            return
        _, ink, fill, pale_fill, edge = ALARM_STYLES[alert.priority.code]
        background, text = (pale_fill, ALARM_PALE_INK) if self._pale else (fill, ink)
        size = ALARM_WORDS_PX if not self._compact else LABEL_PX + 4
        sheet = (
            f"#AlertBand {{ border: 3px solid {edge}; border-radius: 6px; }}"
            f" #AlertBand QLabel {{ font-size: {LABEL_PX + 2}px; }}"
            f" #AlertWords {{ font-size: {size}px; font-weight: 800; }}"
            f" #AlertCondition {{ font-size: {size}px; font-weight: 700; }}"
            f" #AlertFirstStep {{ font-weight: 700; }}"
            f" #AlertBand QPushButton {{ color: {INK}; font-size: {LABEL_PX}px;"
            f" padding: 6px 12px; }}"
            f" #AlertBand QLineEdit {{ color: {INK}; background: #FFFFFF; font-size: {LABEL_PX}px;"
            f" padding: 4px; }}"
            f' #AlertBand QLineEdit[invalid="true"] {{ border: 3px solid #A61B1B; }}'
        )
        restyle(self, sheet)
        for label in (self.words, self.condition, self.first_step, self.status):
            label.set_ink(QColor(text))
        if self._fill != QColor(background):
            self._fill = QColor(background)
            self.update()

    @property
    def fill(self) -> QColor:
        """The band's fill in the phase shown."""
        return QColor(self._fill)

    def paintEvent(self, event: QPaintEvent) -> None:
        """The phase's fill inside the rounded edge, then the edge (the style sheet's)."""
        if self._alert is not None and self._fill.isValid():
            painter = QPainter(self)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self._fill)
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(1.5, 1.5, -1.5, -1.5), 5, 5)
            painter.end()
        super().paintEvent(event)

    def _on_flash_timeout(self) -> None:
        self._pale = not self._pale
        self._paint()

    def cancel_resolve(self) -> None:
        """Hide the inline reason without resolving anything."""
        self.resolve_row.setVisible(False)
        self.resolve_reason.clear()
        self._mark_reason(False)

    def _mark_reason(self, invalid: bool) -> None:
        self.resolve_reason.setProperty("invalid", invalid)
        self.resolve_reason.style().unpolish(self.resolve_reason)
        self.resolve_reason.style().polish(self.resolve_reason)

    def _on_resolve_clicked(self) -> None:
        self.resolve_row.setVisible(True)
        self.resolve_reason.setFocus()

    def _on_resolve_confirmed(self) -> None:
        alert = self._alert
        if alert is None:
            return
        reason = self.resolve_reason.text().strip()
        if not reason:
            self._mark_reason(True)
            self.resolve_reason.setPlaceholderText("Type why it is resolved first (required)")
            self.resolve_reason.setFocus()
            return
        self._mark_reason(False)
        self.resolve_requested.emit(alert.id, reason)

    def _on_acknowledge_clicked(self) -> None:
        if self._alert is not None:
            self.acknowledge_requested.emit(self._alert.id)
