"""The symptom panel: every catalogue symptom by body system, one click (or type + Enter) each.

A click on a symptom that is not active records it with the onset time shown above the groups
(now, unless the nurse moved it back within the session); a click on an active one resolves it
now. The panel holds no record of its own: it shows the stored symptoms it is given and forwards
what the nurse asked for.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.domain.symptoms import OTHER_SYMPTOM, SYMPTOMS, BodySystem, symptoms_in
from infusion_monitor.services.care.views import SymptomView
from infusion_monitor.ui.flow_layout import FlowLayout

COLUMNS = 2
OTHER_CODE = OTHER_SYMPTOM


def to_qt(at: datetime) -> QDateTime:
    """An aware datetime as a local QDateTime."""
    return QDateTime.fromSecsSinceEpoch(int(at.timestamp()))


def from_qt(value: QDateTime) -> datetime:
    """A QDateTime as an aware UTC datetime."""
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), UTC)


class SymptomPanel(QWidget):
    """Symptom buttons grouped by body system, the onset time, "other" and the resolve actions."""

    #: (code, onset, note): record a symptom.
    symptom_recorded = Signal(str, object, str)
    #: (record id, resolved at): the symptom has gone.
    symptom_resolved = Signal(int, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._active: dict[str, SymptomView] = {}
        self._session_start: datetime | None = None
        self._now: datetime | None = None

        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Type to find a symptom, Enter to record it (S)")
        self.filter.textChanged.connect(self._on_filter_text_changed)
        self.filter.returnPressed.connect(self._on_filter_return_pressed)
        self.onset_now = QCheckBox("Onset now")
        self.onset_now.setChecked(True)
        self.onset_now.setToolTip("Untick to give an earlier onset time within this session")
        self.onset = QDateTimeEdit()
        self.onset.setDisplayFormat("HH:mm")
        self.onset.setEnabled(False)
        self.onset_now.toggled.connect(lambda now: self.onset.setEnabled(not now))
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.onset_now)
        top.addWidget(QLabel("Onset"))
        top.addWidget(self.onset)

        self.buttons: dict[str, QPushButton] = {}
        self._groups: dict[BodySystem, QGroupBox] = {}
        groups = QWidget()
        grid = QGridLayout(groups)
        for index, system in enumerate(BodySystem):
            box = QGroupBox(system.value.capitalize())
            column = QVBoxLayout(box)
            column.setSpacing(4)
            for symptom in symptoms_in(system):
                button = QPushButton(symptom.label)
                button.setCheckable(True)
                button.setObjectName("SymptomButton")
                button.clicked.connect(functools.partial(self._on_symptom_clicked, symptom.code))
                column.addWidget(button)
                self.buttons[symptom.code] = button
            grid.addWidget(box, index // COLUMNS, index % COLUMNS, Qt.AlignmentFlag.AlignTop)
            self._groups[system] = box
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(groups)

        self.other = QLineEdit()
        self.other.setPlaceholderText("Other symptom, in your words")
        self.other.returnPressed.connect(self._on_other_clicked)
        record_other = QPushButton("Record other")
        record_other.clicked.connect(self._on_other_clicked)
        other_row = QHBoxLayout()
        other_row.addWidget(self.other, 1)
        other_row.addWidget(record_other)
        #: One "resolved" button per active "other" symptom (its own words), keyed by record id.
        self.other_buttons: dict[int, QPushButton] = {}
        self._other_box = QWidget()
        self._other_layout = FlowLayout(self._other_box, spacing=6)

        self.active_list = QLabel()
        self.active_list.setObjectName("ActiveSymptoms")
        self.active_list.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setObjectName("FormProblem")
        self.problem.setStyleSheet("color: #A61B1B; font-weight: 700;")
        self.problem.setVisible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.active_list)
        layout.addWidget(scroll, 1)
        layout.addLayout(other_row)
        layout.addWidget(self._other_box)
        layout.addWidget(self.problem)

    def show_symptoms(
        self, symptoms: Sequence[SymptomView], session_start: datetime | None, now: datetime
    ) -> None:
        """Show the stored symptoms; active ones are pressed and listed with their onset."""
        self._active = {s.code: s for s in symptoms if s.active and s.code != OTHER_CODE}
        self._session_start = session_start
        self.set_now(now)
        for code, button in self.buttons.items():
            entry = self._active.get(code)
            button.setChecked(entry is not None)
            label = SYMPTOMS[code].label
            if entry is None:
                button.setText(label)
                button.setToolTip(f"Record {label.lower()} (onset as set above)")
            else:
                onset = entry.onset_at.astimezone().strftime("%H:%M")
                button.setText(f"✔ {label} · since {onset}")
                button.setToolTip(f"Active since {onset}. Click when it has resolved.")
        self._show_others([s for s in symptoms if s.active and s.code == OTHER_CODE])
        active = [s for s in symptoms if s.active]
        if active:
            words = ", ".join(
                f"{s.note or s.label} ({s.onset_at.astimezone().strftime('%H:%M')})" for s in active
            )
            self.active_list.setText(f"Active: {words}")
        else:
            self.active_list.setText("No active symptoms.")
        self.problem.setVisible(False)

    def _show_others(self, others: Sequence[SymptomView]) -> None:
        """A button per active "other" symptom: click when it has resolved."""
        for button in self.other_buttons.values():
            self._other_layout.removeWidget(button)
            button.deleteLater()
        self.other_buttons = {}
        for entry in others:
            onset = entry.onset_at.astimezone().strftime("%H:%M")
            button = QPushButton(f"✔ {entry.note or entry.label} · since {onset} — resolved")
            button.setObjectName("OtherSymptomButton")
            button.setToolTip(f"Active since {onset}. Click when it has resolved.")
            button.clicked.connect(
                lambda _checked=False, sid=entry.id: self.symptom_resolved.emit(sid, None)
            )
            self._other_layout.addWidget(button)
            self.other_buttons[entry.id] = button
        self._other_box.setVisible(bool(others))

    def set_now(self, now: datetime) -> None:
        """Keep the onset editor within the session and not in the future."""
        self._now = now
        if self._session_start is not None:
            self.onset.setMinimumDateTime(to_qt(self._session_start))
        self.onset.setMaximumDateTime(to_qt(now))
        if self.onset_now.isChecked():
            self.onset.setDateTime(to_qt(now))

    def show_problem(self, text: str) -> None:
        """Say why the last entry was not recorded (the entry stays as it was)."""
        self.problem.setText(text)
        self.problem.setVisible(True)

    def focus_search(self) -> None:
        """Put the cursor in the symptom search (key S)."""
        self.filter.setFocus()
        self.filter.selectAll()

    def _onset(self) -> datetime | None:
        """The onset to record: None means "now" (the service reads its clock)."""
        return None if self.onset_now.isChecked() else from_qt(self.onset.dateTime())

    def _on_symptom_clicked(self, code: str) -> None:
        entry = self._active.get(code)
        # The stored state decides; the button shows it again when the service answers.
        self.buttons[code].setChecked(entry is not None)
        if entry is None:
            self.symptom_recorded.emit(code, self._onset(), "")
        else:
            self.symptom_resolved.emit(entry.id, None)

    def _matches(self, text: str) -> list[str]:
        words = text.lower().split()
        return [
            code
            for code, symptom in SYMPTOMS.items()
            if all(word in f"{symptom.label} {code}".lower() for word in words)
        ]

    def _on_filter_text_changed(self, text: str) -> None:
        shown = set(self._matches(text)) if text.strip() else set(SYMPTOMS)
        for code, button in self.buttons.items():
            button.setVisible(code in shown)
        for system, box in self._groups.items():
            box.setVisible(any(s.code in shown for s in symptoms_in(system)))

    def _on_filter_return_pressed(self) -> None:
        matches = self._matches(self.filter.text()) if self.filter.text().strip() else []
        if len(matches) != 1:
            self.show_problem(
                "Type until one symptom is left, then press Enter."
                if matches
                else "No symptom matches; use 'Other' for your own words."
            )
            return
        self.filter.clear()
        self._on_symptom_clicked(matches[0])

    def _on_other_clicked(self) -> None:
        text = self.other.text().strip()
        if not text:
            self.show_problem("Describe the other symptom first.")
            return
        self.symptom_recorded.emit(OTHER_CODE, self._onset(), text)

    def clear_other(self) -> None:
        """Empty the "other" field once its symptom is recorded."""
        self.other.clear()
