"""The session set-up form: patient, drug from the protocol library, premedications, baseline.

It lives in the session area (never a modal dialog), hands a ``SessionDraft`` to the controller,
and keeps every value until the controller reports the session committed. A refusal marks the
fields it names; the message itself comes through the funnel.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.vitals import Acvpu, VitalSigns, reject_reason, round_temperature
from infusion_monitor.services.assessing import DEFAULT_AGE_YEARS
from infusion_monitor.services.sessions.lifecycle import SessionSetUp
from infusion_monitor.services.sessions.setup import (
    BaselineDraft,
    PremedicationDraft,
    ProtocolChoice,
    SessionDraft,
)
from infusion_monitor.ui.controller import SessionController
from infusion_monitor.ui.fitting import VerticalScroll
from infusion_monitor.ui.theme import REACTION_BANNER_STYLE

DATE_FORMATS = ("%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d%m%Y")
DRUG_POPUP_WIDTH_PX = 640
#: The form puts the patient and the infusion side by side from this width on.
TWO_COLUMNS_MIN_PX = 1000
#: Room for one baseline field with its caption.
BASELINE_CELL_PX = 125
BASELINE_FIELDS = ("hr", "sbp", "dbp", "rr", "spo2", "temp_c")
BASELINE_LABELS = {
    "hr": "HR /min",
    "sbp": "SBP mmHg",
    "dbp": "DBP mmHg",
    "rr": "RR /min",
    "spo2": "SpO2 %",
    "temp_c": "Temp °C",
}

_Field = TypeVar("_Field", bound=QWidget)


def parse_date(text: str) -> date | None:
    """A date typed as dd.mm.yyyy (or dd/mm/yyyy, yyyy-mm-dd); None if blank or unreadable."""
    cleaned = text.strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    return None


def _at_today(clock: Clock, edit: QTimeEdit) -> datetime:
    """Today's local date at the time in ``edit``, as aware UTC."""
    local_now = clock.now().astimezone()
    picked = edit.time()
    moment = datetime.combine(
        local_now.date(), time(picked.hour(), picked.minute()), tzinfo=local_now.tzinfo
    )
    return moment.astimezone(UTC)


CYCLE_LABEL = "Cycle"
LIFETIME_LABEL = "Lifetime dose no."
LIFETIME_TIP = (
    "Count every dose of this drug the patient has had, over all lines of treatment: the risk "
    "of a reaction follows the total exposure, not the cycle of this course."
)


@dataclass(frozen=True)
class PremedRow:
    """One protocol premedication reminder in the form: ticked with its time, or why not."""

    box: QCheckBox
    when: QTimeEdit
    why: QLineEdit
    label: str
    code: str


class SetupForm(QWidget):
    """Set up one chair's session; ``saved`` carries the committed outcome, ``cancelled`` Esc."""

    saved = Signal(object)
    cancelled = Signal()

    def __init__(
        self, controller: SessionController, clock: Clock, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SetupForm")
        self._controller = controller
        self._clock = clock
        self._choices: tuple[ProtocolChoice, ...] = ()
        #: Each protocol reminder: ticked with its time, or the reason it was not given.
        self._premed_rows: list[PremedRow] = []
        self.fields: dict[str, QWidget] = {}

        self.title = QLabel("New session")
        self.title.setObjectName("FormTitle")

        # Patient
        self.mrn = self._field("mrn", QLineEdit())
        self.mrn.setPlaceholderText("MRN (finds a returning patient)")
        self.find_button = QPushButton("Find")
        self.find_button.setToolTip("Look up a returning patient by MRN (Enter in the MRN box)")
        self.find_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # off the typing path
        self.find_button.clicked.connect(self.find_patient)
        self.mrn.returnPressed.connect(self.find_patient)
        self.name = self._field("name", QLineEdit())
        self.name.setPlaceholderText("Full name")
        self.dob = self._field("dob", QLineEdit())
        self.dob.setPlaceholderText(
            f"dd.mm.yyyy (blank: rules assume an adult, {DEFAULT_AGE_YEARS})"
        )
        self.dob.setToolTip(
            "The rules use the age for children's blood pressure limits and NEWS2 (16 and over)."
            f" Without a date of birth they assume an adult aged {DEFAULT_AGE_YEARS}."
        )
        self.allergies = self._field("allergies", QLineEdit())
        self.allergies.setPlaceholderText("Known allergies, or leave blank if none")
        self.reactions = self._field("reactions", QLineEdit())
        self.reactions.setPlaceholderText("Earlier infusion reactions (drug, cycle, what happened)")
        self.prior_reaction = QCheckBox("Previous reaction to THIS drug")
        self.prior_reaction.setToolTip("Used by the anaphylaxis rules (prior_reaction_to_drug)")
        self.scale2 = QCheckBox("SpO2 scale 2 (set by a clinician)")
        self.scale2.setToolTip(
            "NEWS2 SpO2 scale 2: hypercapnic respiratory failure, target 88-92%. "
            "Only a clinician sets it."
        )
        self.pregnant = QCheckBox("Pregnant (NEWS2 does not apply)")
        self.pregnant.setToolTip("NEWS2 is not used in pregnancy (RCP 2017); it is not scored.")
        self.returning = QLabel()
        self.returning.setStyleSheet(REACTION_BANNER_STYLE)
        self.returning.setWordWrap(True)
        self.returning.setVisible(False)
        mrn_row = QHBoxLayout()
        mrn_row.addWidget(self.mrn, 1)
        mrn_row.addWidget(self.find_button)
        patient_box = QGroupBox("Patient — name plus MRN or date of birth")
        patient_form = QFormLayout(patient_box)
        patient_form.addRow("MRN", mrn_row)
        patient_form.addRow("Name", self.name)
        patient_form.addRow("Date of birth", self.dob)
        patient_form.addRow("Allergies", self.allergies)
        patient_form.addRow("Reactions", self.reactions)
        patient_form.addRow(self.prior_reaction)
        patient_form.addRow(self.scale2)
        patient_form.addRow(self.pregnant)

        # Infusion
        self.chair = self._field("chair", QComboBox())
        self.chair.addItems(list(controller.chair_names))
        self.nurse = self._field("nurse", QComboBox())
        self.drug = self._field("drug", QComboBox())
        self.drug.currentIndexChanged.connect(self._on_drug_changed)
        self.drug.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.drug.setMinimumContentsLength(24)
        self.drug.view().setMinimumWidth(DRUG_POPUP_WIDTH_PX)
        self.drug_name = self._field("drug_name", QLineEdit())
        self.dose = self._field("dose", QDoubleSpinBox())
        self.dose.setRange(0, 100_000)
        self.dose.setDecimals(1)
        self.dose_unit = self._field("dose_unit", QLineEdit("mg"))
        self.rate = self._field("rate", QDoubleSpinBox())
        self.rate.setRange(0, 10_000)
        self.rate.setDecimals(1)
        self.rate_unit = self._field("rate_unit", QLineEdit("mL/h"))
        self.duration = self._field("duration", QSpinBox())
        self.duration.setRange(0, 1440)
        self.duration.setSuffix(" min")
        self.cycle = self._field("cycle", QSpinBox())
        self.cycle.setRange(1, 100)
        self.cycle.valueChanged.connect(self._show_risk)
        self.first_dose = QCheckBox("First dose of this drug")
        dose_row = QHBoxLayout()
        dose_row.addWidget(self.dose, 2)
        dose_row.addWidget(self.dose_unit, 1)
        rate_row = QHBoxLayout()
        rate_row.addWidget(self.rate, 2)
        rate_row.addWidget(self.rate_unit, 1)
        cycle_row = QHBoxLayout()
        cycle_row.addWidget(self.cycle)
        cycle_row.addWidget(self.first_dose, 1)
        infusion_box = QGroupBox("Infusion")
        infusion_form = QFormLayout(infusion_box)
        infusion_form.addRow("Chair", self.chair)
        infusion_form.addRow("Nurse", self.nurse)
        infusion_form.addRow("Drug / protocol", self.drug)
        infusion_form.addRow("Drug name", self.drug_name)
        infusion_form.addRow("Dose", dose_row)
        infusion_form.addRow("Start rate", rate_row)
        infusion_form.addRow("Planned duration", self.duration)
        self.cycle_label = QLabel(CYCLE_LABEL)
        infusion_form.addRow(self.cycle_label, cycle_row)

        self.risk = QLabel()
        self.risk.setObjectName("RiskNotes")
        self.risk.setWordWrap(True)

        # Premedications
        self.premed_box = self._field(
            "premedication", QGroupBox("Premedications given (protocol reminders)")
        )
        self._premed_layout = QGridLayout(self.premed_box)
        self.other_premed = QLineEdit()
        self.other_premed.setPlaceholderText("Other premedication given (name and dose)")
        self.other_premed_time = QTimeEdit()
        self.other_premed_time.setMaximumWidth(120)

        # Baseline
        self.baseline: dict[str, QLineEdit] = {}
        baseline_box = QGroupBox("Baseline vital signs — required before the start")
        self._baseline_grid = QGridLayout(baseline_box)
        #: (caption, field) in reading order; ``_reflow`` puts as many in a row as fit.
        self._baseline_cells: list[tuple[QLabel, QWidget]] = []
        for name in BASELINE_FIELDS:
            edit = self._field(f"baseline_{name}", QLineEdit())
            edit.setMaximumWidth(110)
            self.baseline[name] = edit
            self._baseline_cells.append((QLabel(BASELINE_LABELS[name]), edit))
        self.on_oxygen = QCheckBox("On O2")
        self.acvpu = self._field("baseline_acvpu", QComboBox())
        self.acvpu.addItems([level.value for level in Acvpu])
        self.acvpu.setMaximumWidth(90)
        self.baseline_time = self._field("baseline_time", QTimeEdit())
        self.baseline_time.setMaximumWidth(120)
        self._baseline_cells += [
            (QLabel("ACVPU"), self.acvpu),
            (QLabel("Taken at"), self.baseline_time),
            (QLabel(" "), self.on_oxygen),
        ]

        self.save_button = QPushButton("Save session (Ctrl+Enter)")
        self.save_button.setToolTip("Save the set-up; the infusion starts from the session view")
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton("Cancel (Esc)")
        self.cancel_button.clicked.connect(self.cancelled.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)

        # Patient, infusion, premedications, in reading order: side by side in a wide form,
        # one under the other in a narrow one (``_reflow``), never cut off at the right.
        self._boxes: list[QWidget] = [patient_box, infusion_box, self.premed_box, self.risk]
        self._columns = QGridLayout()
        self._two_columns: bool | None = None
        self._baseline_per_row = 0

        inner = QWidget()
        inner.setObjectName("SetupForm")
        body = QVBoxLayout(inner)
        body.addWidget(self.title)
        body.addWidget(self.returning)
        body.addLayout(self._columns)
        body.addWidget(baseline_box)
        body.addLayout(buttons)
        body.addStretch(1)
        self._scroll = VerticalScroll(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._scroll)
        self._reflow(self.width())
        # The typing path follows the form as it reads (Find is off it: Enter in MRN finds).
        chain: list[QWidget] = [
            self.mrn,
            self.name,
            self.dob,
            self.allergies,
            self.reactions,
            self.prior_reaction,
            self.scale2,
            self.pregnant,
            self.chair,
            self.nurse,
            self.drug,
            self.drug_name,
            self.dose,
            self.dose_unit,
            self.rate,
            self.rate_unit,
            self.duration,
            self.cycle,
            self.first_dose,
            *(field for _, field in self._baseline_cells),
            self.save_button,
            self.cancel_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self._show_premeds(None)
        self._chain_premeds()
        # Esc from a field comes back here; Esc again cancels.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Reflow to the width: two columns of boxes from ``TWO_COLUMNS_MIN_PX``, else one."""
        super().resizeEvent(event)
        self._reflow(event.size().width())

    def _reflow(self, width: int) -> None:
        two = width >= TWO_COLUMNS_MIN_PX
        if two != self._two_columns:
            self._two_columns = two
            for box in self._boxes:
                self._columns.removeWidget(box)
            for index, box in enumerate(self._boxes):
                row, column = divmod(index, 2) if two else (index, 0)
                self._columns.addWidget(box, row, column, Qt.AlignmentFlag.AlignTop)
            self._columns.setColumnStretch(1, 1 if two else 0)
            self._columns.setColumnStretch(0, 1)
        per_row = max(3, min(len(self._baseline_cells), (width - 40) // BASELINE_CELL_PX))
        if per_row != self._baseline_per_row:
            self._baseline_per_row = per_row
            for caption, field in self._baseline_cells:
                self._baseline_grid.removeWidget(caption)
                self._baseline_grid.removeWidget(field)
            for index, (caption, field) in enumerate(self._baseline_cells):
                row, column = divmod(index, per_row)
                self._baseline_grid.addWidget(caption, 2 * row, column)
                self._baseline_grid.addWidget(field, 2 * row + 1, column)

    def _field(self, key: str, widget: _Field) -> _Field:
        self.fields[key] = widget
        return widget

    # Opening

    def open_for(self, chair: str) -> None:
        """Clear the form for a new session in ``chair``."""
        now = self._local_time()
        self._choices = self._controller.protocols()
        self.drug.blockSignals(True)
        self.drug.clear()
        for choice in self._choices:
            label = (
                choice.protocol_name
                if choice.generic
                else (
                    f"{choice.drug_name} — {choice.applies_to}"
                    if choice.drug_name.casefold() not in choice.applies_to.casefold()
                    or ":" in choice.protocol_name
                    else choice.drug_name
                )
            )
            self.drug.addItem(label, choice.protocol_id)
        self.drug.setCurrentIndex(-1)
        self.drug.blockSignals(False)
        self.nurse.clear()
        actor = self._controller.actor
        self.nurse.addItem(f"{actor.name} (signed in)", actor.staff_id)
        for staff_id, name in self._controller.nurses():
            if staff_id != actor.staff_id:
                self.nurse.addItem(name, staff_id)
        self.chair.setCurrentText(chair)
        self.title.setText(f"New session — {chair}")
        for edit in (self.mrn, self.name, self.dob, self.allergies, self.reactions, self.drug_name):
            edit.clear()
        for edit in self.baseline.values():
            edit.clear()
        self.other_premed.clear()
        for box in (
            self.prior_reaction,
            self.scale2,
            self.pregnant,
            self.first_dose,
            self.on_oxygen,
        ):
            box.setChecked(False)
        self.acvpu.setCurrentIndex(0)
        self.dose.setValue(0)
        self.rate.setValue(0)
        self.duration.setValue(0)
        self.cycle.setValue(1)
        self.baseline_time.setTime(now)
        self.other_premed_time.setTime(now)
        self.returning.setVisible(False)
        self._mark(())
        self._show_premeds(None)
        self._show_risk()
        self.mrn.setFocus()

    def _local_time(self) -> QTime:
        local = self._clock.now().astimezone()
        return QTime(local.hour, local.minute)

    def find_patient(self) -> None:
        """Look the MRN up; a returning patient's identity and reactions are filled in."""
        found = self._controller.find_patient(self.mrn.text())
        if found is None:
            self.returning.setVisible(False)
            return
        patient = found.patient
        self.name.setText(patient.name)
        if patient.date_of_birth:
            self.dob.setText(f"{patient.date_of_birth:%d.%m.%Y}")
        self.allergies.setText(patient.allergies)
        self.reactions.setText(patient.reaction_history.replace("\n", "; "))
        lines = list(found.previous_reactions)
        if patient.allergies:
            lines.insert(0, f"Allergies: {patient.allergies}")
        if lines:
            self.returning.setText(
                "⚠ RETURNING PATIENT — PREVIOUS REACTIONS / ALLERGIES:\n• " + "\n• ".join(lines)
            )
        else:
            self.returning.setText("Returning patient: no previous reactions on record.")
        self.returning.setVisible(True)

    # Drug choice

    def _choice(self) -> ProtocolChoice | None:
        protocol_id = self.drug.currentData()
        return next((c for c in self._choices if c.protocol_id == protocol_id), None)

    def _on_drug_changed(self) -> None:
        choice = self._choice()
        if choice is None:
            return
        self.drug_name.setText(choice.drug_name)
        self.drug_name.setPlaceholderText("Type the drug's name" if choice.generic else "")
        if choice.start_rate is not None:
            self.rate.setValue(choice.start_rate)
        if choice.rate_unit is not None:
            self.rate_unit.setText(choice.rate_unit)
        self.rate_unit.setReadOnly(choice.rate_unit is not None)
        lifetime = choice.lifetime_doses
        self.cycle_label.setText(LIFETIME_LABEL if lifetime else CYCLE_LABEL)
        self.cycle.setToolTip(LIFETIME_TIP if lifetime else "")
        self._show_premeds(choice)
        self._chain_premeds()
        self._show_risk()

    def _chain_premeds(self) -> None:
        """The premedication reminders shown for the drug sit on the typing path after it."""
        chain: list[QWidget] = [self.first_dose]
        for row in self._premed_rows:
            chain += [row.box, row.when, row.why]
        chain += [self.other_premed, self.other_premed_time, self.baseline[BASELINE_FIELDS[0]]]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _show_premeds(self, choice: ProtocolChoice | None) -> None:
        while self._premed_layout.count():
            item = self._premed_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget not in (self.other_premed, self.other_premed_time):
                widget.hide()
                widget.deleteLater()
        self._premed_rows = []
        reminders = choice.premedications if choice else ()
        for row, reminder in enumerate(reminders):
            advice = {"give": "GIVE", "consider": "consider", "avoid": "AVOID"}[reminder.advice]
            box = QCheckBox(f"{reminder.label} — {advice}")
            box.setToolTip(reminder.note)
            box.setEnabled(reminder.advice != "avoid")
            when = QTimeEdit()
            when.setTime(self._local_time())
            why = QLineEdit()
            why.setObjectName("premed_skipped")
            why.setPlaceholderText("or: why not given")
            why.setVisible(reminder.advice == "give")
            self._premed_layout.addWidget(box, row, 0)
            self._premed_layout.addWidget(when, row, 1)
            self._premed_layout.addWidget(why, row, 2)
            self._premed_rows.append(PremedRow(box, when, why, reminder.label, reminder.code))
        row = len(reminders)
        if not reminders:
            none = QLabel("This protocol has no premedication reminders.")
            self._premed_layout.addWidget(none, row, 0, 1, 2)
            row += 1
        self._premed_layout.addWidget(self.other_premed, row, 0)
        self._premed_layout.addWidget(self.other_premed_time, row, 1)

    def _show_risk(self) -> None:
        choice = self._choice()
        if choice is None:
            self.risk.setText("Choose the drug to see its reaction profile and risk notes.")
            return
        lines = [f"<b>{choice.protocol_name}</b>: {choice.risk_profile}"]
        cycle_risk = choice.cycle_risk(self.cycle.value())
        if cycle_risk:
            lines.append(f"<b>⚠ {cycle_risk}</b>")
        lines += [f"• {note}" for note in choice.risk_notes]
        if choice.max_rate is not None:
            lines.append(f"Maximum rate {choice.max_rate:g} {choice.rate_unit}.")
        lines.append(f"Observation after the infusion: {choice.observation_min} min.")
        self.risk.setText("<br>".join(lines))

    # Saving

    def draft(self) -> SessionDraft:
        """The form's values as a draft (the service checks them all)."""
        choice = self._choice()
        premeds = [
            PremedicationDraft(
                row.label,
                _at_today(self._clock, row.when) if row.box.isChecked() else None,
                row.code,
                None if row.box.isChecked() else row.why.text().strip() or None,
            )
            for row in self._premed_rows
            if row.box.isChecked() or row.why.text().strip()
        ]
        if self.other_premed.text().strip():
            premeds.append(
                PremedicationDraft(
                    self.other_premed.text().strip(), _at_today(self._clock, self.other_premed_time)
                )
            )
        rate = self.rate.value() or None
        return SessionDraft(
            chair=self.chair.currentText(),
            patient_name=self.name.text(),
            mrn=self.mrn.text(),
            date_of_birth=parse_date(self.dob.text()),
            protocol_id=choice.protocol_id if choice else "",
            drug_name=self.drug_name.text(),
            dose=self.dose.value(),
            dose_unit=self.dose_unit.text(),
            rate=rate,
            rate_unit=self.rate_unit.text().strip() or None,
            planned_duration_min=self.duration.value(),
            cycle=self.cycle.value(),
            first_dose=self.first_dose.isChecked(),
            baseline=BaselineDraft(
                _at_today(self._clock, self.baseline_time),
                VitalSigns(
                    self._int("hr"),
                    self._int("sbp"),
                    self._int("dbp"),
                    self._int("rr"),
                    self._int("spo2"),
                    self._temperature(),
                    self.on_oxygen.isChecked(),
                    Acvpu(self.acvpu.currentText()),
                ),
            ),
            premedications=tuple(premeds),
            allergies=self.allergies.text(),
            reaction_history=self.reactions.text().replace("; ", "\n"),
            prior_reaction_to_drug=self.prior_reaction.isChecked(),
            spo2_scale=2 if self.scale2.isChecked() else 1,
            nurse_staff_id=self.nurse.currentData(),
            pregnant=self.pregnant.isChecked(),
        )

    def _int(self, name: str) -> int | None:
        text = self.baseline[name].text().strip()
        return int(text) if text.isdigit() else None

    def _temperature(self) -> float | None:
        try:
            return float(
                round_temperature(self.baseline["temp_c"].text().strip().replace(",", "."))
            )
        except (InvalidOperation, ValueError):
            return None

    def local_problems(self) -> list[tuple[str, str]]:
        """Problems the form can see before asking the service: unreadable entries."""
        problems = []
        if self.dob.text().strip() and parse_date(self.dob.text()) is None:
            problems.append(("dob", "Type the date of birth as dd.mm.yyyy."))
        for name, edit in self.baseline.items():
            text = edit.text().strip()
            if not text:
                continue
            value = self._temperature() if name == "temp_c" else self._int(name)
            if value is None:
                problems.append((f"baseline_{name}", f"{BASELINE_LABELS[name]}: not a number."))
            elif (reason := reject_reason(name, Decimal(str(value)))) is not None:
                problems.append((f"baseline_{name}", f"{BASELINE_LABELS[name]}: {reason}."))
        return problems

    def save(self) -> SessionSetUp | None:
        """Hand the draft to the controller; the form clears only once the session is committed."""
        local = self.local_problems()
        if local:
            self._mark(tuple(local))
            self._controller.report_problems(local)
            return None
        outcome = self._controller.set_up(self.draft())
        if outcome is None:
            self._mark(self._controller.last_problems)
            return None
        self._mark(())
        self.saved.emit(outcome)
        return outcome

    def _mark(self, problems: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> None:
        bad = {field for field, _ in problems}
        for key, widget in self.fields.items():
            invalid = key in bad
            widget.setProperty("invalid", invalid)
            widget.setToolTip(next((text for f, text in problems if f == key), ""))
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        first = next((self.fields[f] for f, _ in problems if f in self.fields), None)
        if first is not None:
            first.setFocus()
