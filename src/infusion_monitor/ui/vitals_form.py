"""The vitals row: keyboard-first entry of one set; shows the verdicts of ``check_entry``.

Focus lands on HR; Tab walks HR → BP → RR → SpO2 → temperature, then the rarer fields; Enter
saves from anywhere in the row. The form never decides validity itself: it hands the typed text
to ``domain.vitals_entry.check_entry`` and shows each issue beside its field. A clean verdict is
emitted as ``draft_ready``; the owner saves it and answers with ``accept_saved`` (the row clears)
or ``show_save_error`` (every typed value stays). No dialog: confirmations are a second Enter.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.schedule import MissedCheckNote, MissedCheckReason
from infusion_monitor.domain.vitals import Acvpu
from infusion_monitor.domain.vitals_entry import (
    EntryField,
    EntryVerdict,
    FieldIssue,
    IssueKind,
    Source,
    TempUnit,
    VitalsText,
    check_entry,
)
from infusion_monitor.ui.fitting import compact_choice
from infusion_monitor.ui.flow_layout import FlowLayout

ACVPU_LABELS = {
    Acvpu.A: "A  Alert",
    Acvpu.C: "C  new Confusion",
    Acvpu.V: "V  responds to Voice",
    Acvpu.P: "P  responds to Pain",
    Acvpu.U: "U  Unresponsive",
}
ERROR_STYLE = "color: #A61B1B; font-weight: 600;"
CONFIRM_STYLE = "color: #7A5200; font-weight: 600;"
SAVED_STYLE = "color: #17692F; font-weight: 600;"
BUSY_STYLE = (
    "color: #111820; background: #FFE7B3; border: 2px solid #8A6100; border-radius: 4px;"
    " padding: 2px 6px; font-weight: 700;"
)
MESSAGE_WIDTH_PX = 190
FORM_STYLE = """
#VitalsForm QLineEdit { font-size: 26px; font-weight: 600; padding: 2px 6px; }
#VitalsForm QLabel#FieldLabel { font-size: 15px; color: #4A5560; }
#VitalsForm QLabel#FieldMessage { font-size: 14px; }
#VitalsForm QLabel#FormStatus { font-size: 16px; }
#VitalsForm QLineEdit[issue="error"] { border: 3px solid #A61B1B; }
#VitalsForm QLineEdit[issue="confirm"] { border: 3px solid #B07A00; }
"""


@dataclass(frozen=True)
class Amending:
    """The set being corrected: its id and when it was taken (shown in the row)."""

    entry_id: int
    taken_at: datetime


class _Column(QWidget):
    """A field's label, its editor(s) and the message shown beside (under) it."""

    def __init__(self, label: str, *editors: QWidget, shortcut_hint: str = "") -> None:
        super().__init__()
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setVerticalSpacing(2)
        caption = QLabel(label)
        caption.setObjectName("FieldLabel")
        if shortcut_hint:
            caption.setToolTip(shortcut_hint)
        layout.addWidget(caption, 0, 0, 1, len(editors))
        for column, editor in enumerate(editors):
            layout.addWidget(editor, 1, column)
        self.message = QLabel()
        self.message.setObjectName("FieldMessage")
        self.message.setWordWrap(True)
        self.message.setMaximumWidth(MESSAGE_WIDTH_PX)
        self.message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.message.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.message.hide()
        layout.addWidget(self.message, 2, 0, 1, len(editors))
        self.offer = QPushButton()
        self.offer.hide()
        layout.addWidget(self.offer, 3, 0, 1, len(editors))


def _line(placeholder: str, width: int, name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setFixedWidth(width)
    edit.setObjectName(name)
    edit.setAccessibleName(name)
    return edit


class VitalsForm(QWidget):
    """One row for one set of vital signs; emits drafts, never saves by itself."""

    draft_ready = Signal(object)
    """A clean ``VitalsDraft`` to save (new set)."""
    amend_ready = Signal(int, object, str)
    """(entry id, corrected ``VitalsDraft``, reason) to save as a correction."""
    confirm_ready = Signal(int, object)
    """(monitor set id, the nurse's ``VitalsDraft``) to save as a set confirming it."""

    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VitalsForm")
        self.setStyleSheet(FORM_STYLE)
        self._clock = clock
        self._session_start: datetime | None = None
        self._pending: dict[EntryField, str] = {}
        self._amending: Amending | None = None
        self._confirming: Amending | None = None
        self._last_verdict: EntryVerdict | None = None
        self._offer: tuple[str, TempUnit] | None = None

        self.hr = _line("HR", 70, "hr")
        self.bp = _line("120/80", 110, "bp")
        self.rr = _line("RR", 60, "rr")
        self.spo2 = _line("SpO2", 80, "spo2")
        self.temp = _line("°C", 82, "temp")
        self.temp_unit = QPushButton(TempUnit.C.value)
        self.temp_unit.setCheckable(True)
        self.temp_unit.setToolTip("Temperature unit: type F or C in the field, or click")
        self.temp_unit.setFixedWidth(44)
        self.on_oxygen = QCheckBox("O2")
        self.on_oxygen.setToolTip("On supplemental oxygen (Space)")
        self.o2_flow = _line("L/min", 80, "o2_flow")
        self.acvpu = QComboBox()
        self.acvpu.setObjectName("acvpu")
        for level, text in ACVPU_LABELS.items():
            self.acvpu.addItem(text, level.value)
        self.acvpu.setToolTip("Consciousness: press A, C, V, P or U")
        compact_choice(self.acvpu, 6)
        self.pain = _line("0-10", 70, "pain")
        self.taken_at = _line("now", 90, "taken_at")
        self.taken_at.setToolTip("When measured: empty for now, HH:MM, or -10 for 10 min ago")
        self.source = QComboBox()
        self.source.setObjectName("source")
        self.source.addItem("Typed", Source.TYPED.value)
        self.source.addItem("Monitor", Source.MONITOR.value)
        self.reason = QComboBox()
        self.reason.setObjectName("reason")
        self.reason.addItem("—", "")
        for choice in MissedCheckReason:
            self.reason.addItem(choice.label, choice.value)
        self.reason.setToolTip("Why the set is partial or late")
        compact_choice(self.reason, 9)
        self.reason_text = _line("details", 110, "reason_text")
        self.amend_reason = _line("why corrected", 260, "amend_reason")
        self.save = QPushButton("Save ⏎")
        self.save.setToolTip("Save the set (Enter)")
        self.status = QLabel()
        self.status.setObjectName("FormStatus")
        self.status.setWordWrap(True)
        self.status.setMinimumWidth(MESSAGE_WIDTH_PX)

        self._columns: dict[EntryField, _Column] = {
            EntryField.HR: _Column("HR /min", self.hr),
            EntryField.BP: _Column("BP mmHg", self.bp),
            EntryField.RR: _Column("RR /min", self.rr),
            EntryField.SPO2: _Column("SpO2 %", self.spo2),
            EntryField.TEMP: _Column("Temp", self.temp, self.temp_unit),
            EntryField.O2_FLOW: _Column("Oxygen", self.on_oxygen, self.o2_flow),
            EntryField.PAIN: _Column("Pain", self.pain),
            EntryField.TAKEN_AT: _Column("Taken", self.taken_at),
            EntryField.REASON: _Column("Partial / late reason", self.reason, self.reason_text),
        }
        self._acvpu_column = _Column("ACVPU", self.acvpu)
        self._source_column = _Column("Source", self.source)
        self._amend_column = _Column("Correction: why?", self.amend_reason)
        self._amend_column.hide()
        # Two groups of fields that wrap onto more lines in a narrow view (never clipped): the
        # numbers every set has, ACVPU and Save first; then the rarer fields. Tab order is set
        # below, not by position.
        save_column = _Column(" ", self.save)
        first_row = FlowLayout()
        for column in (
            self._columns[EntryField.HR],
            self._columns[EntryField.BP],
            self._columns[EntryField.RR],
            self._columns[EntryField.SPO2],
            self._columns[EntryField.TEMP],
            self._acvpu_column,
            save_column,
        ):
            first_row.addWidget(column)
        second_row = FlowLayout()
        for column in (
            self._columns[EntryField.O2_FLOW],
            self._columns[EntryField.PAIN],
            self._columns[EntryField.TAKEN_AT],
            self._source_column,
            self._columns[EntryField.REASON],
        ):
            second_row.addWidget(column)
        last_row = QHBoxLayout()
        last_row.addWidget(self._amend_column, 0, Qt.AlignmentFlag.AlignTop)
        last_row.addWidget(self.status, 1)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(8, 4, 8, 4)
        rows.setSpacing(4)
        rows.addLayout(first_row)
        rows.addLayout(second_row)
        rows.addLayout(last_row)

        chain: list[QWidget] = [
            self.hr,
            self.bp,
            self.rr,
            self.spo2,
            self.temp,
            self.acvpu,
            self.on_oxygen,
            self.o2_flow,
            self.pain,
            self.taken_at,
            self.source,
            self.reason,
            self.reason_text,
            self.amend_reason,
            self.temp_unit,
            self.save,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        for widget in chain:
            widget.installEventFilter(self)
        for name, edit in self._edits().items():
            edit.textEdited.connect(lambda _text, where=name: self._clear(where))
        self.temp_unit.toggled.connect(self._on_temp_unit_toggled)
        self.save.clicked.connect(self.submit)
        self._columns[EntryField.TEMP].offer.clicked.connect(self._convert)
        self.reason.currentIndexChanged.connect(lambda _i: self._clear(EntryField.REASON))
        self.on_oxygen.toggled.connect(lambda _on: self._clear(EntryField.O2_FLOW))

    # Public API -----------------------------------------------------------------------------

    def set_session_start(self, start: datetime | None) -> None:
        """The session's start (a set cannot be dated before it)."""
        self._session_start = start

    def focus_first(self) -> None:
        """Put the cursor in HR, ready to type."""
        self.hr.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.hr.selectAll()

    def text(self) -> VitalsText:
        """Everything typed and chosen, as the pure checker reads it."""
        reason_choice = self.reason.currentData()
        note = None
        if reason_choice:
            details = self.reason_text.text().strip() or None
            note = MissedCheckNote(MissedCheckReason(reason_choice), details)
        return VitalsText(
            hr=self.hr.text(),
            bp=self.bp.text(),
            rr=self.rr.text(),
            spo2=self.spo2.text(),
            on_oxygen=self.on_oxygen.isChecked(),
            o2_flow=self.o2_flow.text(),
            temp=self.temp.text(),
            temp_unit=TempUnit.F if self.temp_unit.isChecked() else TempUnit.C,
            acvpu=Acvpu(self.acvpu.currentData()),
            pain=self.pain.text(),
            taken_at=self.taken_at.text(),
            source=Source(self.source.currentData()),
            reason=note,
            confirmed=dict(self._pending),
        )

    def message(self, where: EntryField) -> str:
        """The message shown beside a field (empty when none)."""
        return self._columns[where].message.text()

    def offer_text(self) -> str | None:
        """The conversion offered beside the temperature, if one is shown."""
        offer = self._columns[EntryField.TEMP].offer
        return offer.text() if offer.isVisibleTo(self) else None

    def submit(self) -> None:
        """Check the row (Enter); emit the draft when clean, else show why beside each field.

        Unusual values shown for confirmation are confirmed by submitting again unchanged.
        """
        verdict = check_entry(self.text(), now=self._clock.now(), session_start=self._session_start)
        only_confirm = verdict.issues and all(
            issue.kind is IssueKind.CONFIRM for issue in verdict.issues
        )
        if only_confirm and self._last_verdict is not None and self._same(verdict):
            for issue in verdict.issues:
                self._pending[issue.field] = self.text().text_of(issue.field)
            verdict = check_entry(
                self.text(), now=self._clock.now(), session_start=self._session_start
            )
        self._last_verdict = verdict
        self._show(verdict)
        if verdict.draft is None:
            self._focus_issue(verdict)
            return
        self._set_status("Saving…", "")
        if self._amending is not None:
            self.amend_ready.emit(self._amending.entry_id, verdict.draft, self.amend_reason.text())
        elif self._confirming is not None:
            self.confirm_ready.emit(self._confirming.entry_id, verdict.draft)
        else:
            self.draft_ready.emit(verdict.draft)

    def accept_saved(self, summary: str) -> None:
        """The set was committed: clear the row, show ``summary``, and be ready for the next."""
        self._reset()
        self._set_status(f"✓ {summary}", SAVED_STYLE)
        self.focus_first()

    def show_busy(self) -> None:
        """The save waits on a busy database: say so; every typed value stays until it is
        stored or refused."""
        self._set_status(
            "Saving — database busy (another program holds it). Waiting; this set is not "
            "saved until this line says ✓ Saved.",
            BUSY_STYLE,
        )

    def show_save_error(self, message: str) -> None:
        """Saving failed: keep every typed value and say why."""
        self._set_status(f"⛔ Not saved: {message}", ERROR_STYLE)

    def begin_amend(self, entry_id: int, taken_at: datetime, values: VitalsText) -> None:
        """Load a stored set to correct it; Enter saves the correction with its reason."""
        self._reset()
        self._amending = Amending(entry_id, taken_at)
        self._fill_measured(values)
        self.on_oxygen.setChecked(values.on_oxygen)
        self.o2_flow.setText(values.o2_flow)
        self.acvpu.setCurrentIndex(list(Acvpu).index(values.acvpu))
        self.pain.setText(values.pain)
        shown = taken_at.astimezone().strftime("%H:%M")
        self.taken_at.setText(shown)
        self._amend_column.show()
        self._set_status(f"Correcting the set taken at {shown} (Esc cancels)", CONFIRM_STYLE)
        self.amend_reason.setFocus()

    def begin_confirm(self, entry_id: int, taken_at: datetime, values: VitalsText) -> None:
        """Load a bedside monitor's set for the nurse to confirm: its values filled in, the
        nurse adds ACVPU, oxygen and temperature; Enter saves a nurse's set linked to it."""
        self._reset()
        self._confirming = Amending(entry_id, taken_at)
        self._fill_measured(values)
        shown = taken_at.astimezone().strftime("%H:%M")
        self._set_status(
            f"Confirming the monitor set of {shown}: check the values, add ACVPU, oxygen and "
            "temperature, then Enter (Esc cancels)",
            CONFIRM_STYLE,
        )
        first = self.temp if not values.temp else self.on_oxygen
        first.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def confirming(self) -> Amending | None:
        """The monitor's set being confirmed, or None."""
        return self._confirming

    @property
    def amending(self) -> Amending | None:
        """The set being corrected, or None for a new set."""
        return self._amending

    def cancel_amend(self) -> None:
        """Leave correction (or confirmation) mode without saving."""
        if self._amending is not None:
            self._reset()
            self._set_status("Correction cancelled", "")
        elif self._confirming is not None:
            self._reset()
            self._set_status("Confirmation cancelled", "")

    # Internals ------------------------------------------------------------------------------

    def _fill_measured(self, values: VitalsText) -> None:
        """The measured values of a stored set, into their fields."""
        for edit, text in (
            (self.hr, values.hr),
            (self.bp, values.bp),
            (self.rr, values.rr),
            (self.spo2, values.spo2),
            (self.temp, values.temp),
        ):
            edit.setText(text)

    def _edits(self) -> dict[EntryField, QLineEdit]:
        return {
            EntryField.HR: self.hr,
            EntryField.BP: self.bp,
            EntryField.RR: self.rr,
            EntryField.SPO2: self.spo2,
            EntryField.TEMP: self.temp,
            EntryField.O2_FLOW: self.o2_flow,
            EntryField.PAIN: self.pain,
            EntryField.TAKEN_AT: self.taken_at,
            EntryField.REASON: self.reason_text,
        }

    def _same(self, verdict: EntryVerdict) -> bool:
        """Whether the confirmations asked for now are the ones shown at the last Enter."""
        assert self._last_verdict is not None
        return {(i.field, i.message) for i in verdict.issues} == {
            (i.field, i.message) for i in self._last_verdict.issues
        }

    def _show(self, verdict: EntryVerdict) -> None:
        for where in self._columns:
            self._show_issue(where, verdict.for_field(where))

    def _show_issue(self, where: EntryField, issue: FieldIssue | None) -> None:
        column = self._columns[where]
        column.message.setText("" if issue is None else issue.message)
        column.message.setVisible(issue is not None)
        style = ""
        if issue is not None:
            style = ERROR_STYLE if issue.kind is IssueKind.ERROR else CONFIRM_STYLE
        column.message.setStyleSheet(style)
        edit = self._edits()[where]
        state = "" if issue is None else issue.kind.value
        if edit.property("issue") != state:
            edit.setProperty("issue", state)
            edit.style().unpolish(edit)
            edit.style().polish(edit)
        offer = column.offer
        if issue is not None and issue.convert_to is not None and issue.convert_unit is not None:
            self._offer = (issue.convert_to, issue.convert_unit)
            offer.setText(f"Use {issue.convert_to} {issue.convert_unit} (Ctrl+U)")
            offer.show()
        else:
            offer.hide()

    def _convert(self) -> None:
        if self._offer is None:
            return
        value, unit = self._offer
        self._offer = None
        self.temp_unit.setChecked(unit is TempUnit.F)
        self.temp.setText(value)
        self._clear(EntryField.TEMP)
        self.temp.setFocus()

    def _clear(self, where: EntryField) -> None:
        self._show_issue(where, None)

    def _focus_issue(self, verdict: EntryVerdict) -> None:
        first = verdict.issues[0].field
        edit = self._edits()[first] if first is not EntryField.REASON else self.reason
        edit.setFocus()
        if isinstance(edit, QLineEdit):
            edit.selectAll()

    def _on_temp_unit_toggled(self, fahrenheit: bool) -> None:
        unit = TempUnit.F if fahrenheit else TempUnit.C
        self.temp_unit.setText(unit.value)
        self.temp.setPlaceholderText(unit.value)
        self._clear(EntryField.TEMP)

    def _reset(self) -> None:
        for edit in self._edits().values():
            edit.clear()
        self.amend_reason.clear()
        self.temp_unit.setChecked(False)
        self.on_oxygen.setChecked(False)
        self.acvpu.setCurrentIndex(0)
        self.source.setCurrentIndex(0)
        self.reason.setCurrentIndex(0)
        self._pending.clear()
        self._last_verdict = None
        self._amending = None
        self._confirming = None
        self._amend_column.hide()
        for where in self._columns:
            self._clear(where)

    def _set_status(self, text: str, style: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self.status.setStyleSheet(style)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter saves from any field; F/C in the temperature switch its unit; Esc cancels."""
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
            return True
        if key == Qt.Key.Key_Escape and (self._amending or self._confirming) is not None:
            self.cancel_amend()
            return True
        if key == Qt.Key.Key_U and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            offer = self._columns[EntryField.TEMP].offer
            if offer.isVisibleTo(self):
                offer.click()
                return True
        if watched is self.temp and key in (Qt.Key.Key_F, Qt.Key.Key_C):
            self.temp_unit.setChecked(key == Qt.Key.Key_F)
            return True
        return super().eventFilter(watched, event)
