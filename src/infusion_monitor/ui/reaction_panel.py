"""The reaction record: the clock from the first symptom, and the outcome form that closes it.

The nurse's CTCAE term and grade start at the engine's suggestion; she decides. The form keeps
what was typed until the service says it is stored.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.domain.reaction import CTCAE_TERMS, Disposition, Outcome, format_elapsed
from infusion_monitor.services.care.views import GuidanceView, ReactionView
from infusion_monitor.ui.fitting import compact_choice
from infusion_monitor.ui.symptom_panel import from_qt, to_qt


class ReactionPanel(QWidget):
    """Reaction clock (onset → stopped, notified, first drug) and the outcome form."""

    #: An outcome the nurse wants stored.
    outcome_submitted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view: ReactionView | None = None
        self._suggested = ("infusion_related_reaction", 1)

        clock_box = QGroupBox("Reaction clock")
        clock = QFormLayout(clock_box)
        self.onset = QLabel("—")
        self.elapsed = QLabel("—")
        self.to_stopped = QLabel("—")
        self.to_notified = QLabel("—")
        self.to_first_drug = QLabel("—")
        for label in (self.elapsed, self.to_stopped, self.to_notified, self.to_first_drug):
            label.setStyleSheet("font-size: 22px; font-weight: 700;")
        clock.addRow("First symptom", self.onset)
        clock.addRow("Since onset", self.elapsed)
        clock.addRow("To infusion stopped", self.to_stopped)
        clock.addRow("To provider told", self.to_notified)
        clock.addRow("To first drug", self.to_first_drug)

        form_box = QGroupBox("Outcome")
        form = QFormLayout(form_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.disposition = QComboBox()
        # Nothing preselected: the nurse says how the reaction ended.
        self.disposition.addItem("— choose the outcome —", None)
        for disposition in Disposition:
            self.disposition.addItem(disposition.label, disposition.value)
        compact_choice(self.disposition, 18)
        self.resolved = QCheckBox("Resolved at")
        self.resolved_at = QDateTimeEdit()
        self.resolved_at.setDisplayFormat("HH:mm")
        self.restarted = QCheckBox("Restarted at")
        self.restarted_at = QDateTimeEdit()
        self.restarted_at.setDisplayFormat("HH:mm")
        self.restart_rate = QDoubleSpinBox()
        self.restart_rate.setRange(0, 10000)
        self.restart_rate.setToolTip("In the rate unit of the session")
        self.term = QComboBox()
        for code, term_label in CTCAE_TERMS.items():
            self.term.addItem(term_label, code)
        compact_choice(self.term, 18)
        self.grade = QSpinBox()
        self.grade.setRange(1, 5)
        self.suggestion = QLabel()
        self.suggestion.setWordWrap(True)
        self.flag = QCheckBox("Flag on the next session of this drug")
        self.flag.setToolTip("Flag this reaction on the patient's next session of this drug")
        self.flag.setChecked(True)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note (required if your grade is below the suggestion)")
        self.save = QPushButton("Save outcome")
        self.save.clicked.connect(self._on_save_clicked)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #A61B1B; font-weight: 700;")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        self.recorded = QLabel()
        self.recorded.setWordWrap(True)
        form.addRow("Disposition", self.disposition)
        form.addRow(self.resolved, self.resolved_at)
        form.addRow(self.restarted, self.restarted_at)
        form.addRow("Restart rate", self.restart_rate)
        form.addRow("CTCAE v5.0 term", self.term)
        form.addRow("Grade", self.grade)
        form.addRow("", self.suggestion)
        form.addRow("", self.flag)
        form.addRow("Note", self.note)
        form.addRow("", self.save)
        form.addRow("", self.problem)
        form.addRow("", self.recorded)

        layout = QVBoxLayout(self)
        layout.addWidget(clock_box)
        layout.addWidget(form_box)
        layout.addStretch(1)

    def show_reaction(self, view: ReactionView, guidance: GuidanceView, now: datetime) -> None:
        """Show the clock and pre-fill the form with the engine's suggestion (until stored)."""
        self._view = view
        term = guidance.ctcae_term if guidance.ctcae_term in CTCAE_TERMS else None
        if term is not None:
            self._suggested = (term, max(guidance.ctcae_grade, 1))
        self.suggestion.setText(
            f"Suggested by the rules: {CTCAE_TERMS[self._suggested[0]]}, grade "
            f"{self._suggested[1]}"
            + (" · cytokine pattern seen" if guidance.cytokine_pattern else "")
        )
        if view.outcome is None:
            self.term.setCurrentIndex(self.term.findData(self._suggested[0]))
            self.grade.setValue(self._suggested[1])
            for editor in (self.resolved_at, self.restarted_at):
                editor.setDateTime(to_qt(now))
            self.recorded.setText("")
        else:
            outcome = view.outcome
            at = view.outcome_at.astimezone().strftime("%H:%M") if view.outcome_at else ""
            self.recorded.setText(
                f"Recorded by {view.outcome_by} at {at}: {outcome.disposition.label}; "
                f"{CTCAE_TERMS.get(outcome.ctcae_term, outcome.ctcae_term)} grade "
                f"{outcome.ctcae_grade}."
            )
        self.refresh(now)

    def refresh(self, now: datetime) -> None:
        """Recompute the clock from the stored times and ``now``."""
        clock = self._view.clock if self._view else None
        if clock is None:
            self.onset.setText("No symptom recorded.")
            for label in (self.elapsed, self.to_stopped, self.to_notified, self.to_first_drug):
                label.setText("—")
            return
        self.onset.setText(clock.onset_at.astimezone().strftime("%H:%M:%S"))
        self.elapsed.setText(format_elapsed(clock.elapsed(now)))
        self.to_stopped.setText(format_elapsed(clock.to_stopped))
        self.to_notified.setText(format_elapsed(clock.to_notified))
        self.to_first_drug.setText(format_elapsed(clock.to_first_drug))

    def show_problem(self, text: str) -> None:
        """Say why the outcome was not stored; the form keeps what was typed."""
        self.problem.setText(text)
        self.problem.setVisible(True)

    def draft(self) -> Outcome:
        """The outcome as typed."""
        return Outcome(
            disposition=Disposition(self.disposition.currentData()),
            resolved_at=from_qt(self.resolved_at.dateTime()) if self.resolved.isChecked() else None,
            restarted_at=(
                from_qt(self.restarted_at.dateTime()) if self.restarted.isChecked() else None
            ),
            restart_rate=self.restart_rate.value() or None,
            ctcae_term=str(self.term.currentData()),
            ctcae_grade=self.grade.value(),
            suggested_term=self._suggested[0],
            suggested_grade=self._suggested[1],
            flag_next_session=self.flag.isChecked(),
            note=self.note.text().strip(),
        )

    def _on_save_clicked(self) -> None:
        self.problem.setVisible(False)
        if self.disposition.currentData() is None:
            self.show_problem("Choose the outcome: how did the reaction end for this session?")
            return
        self.outcome_submitted.emit(self.draft())
