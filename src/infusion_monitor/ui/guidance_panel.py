"""The guidance panel: the rule set's steps in order, each done (or declined) with one click.

Steps are the actions of the current pathways with the institution's own text
(``Assessment.action_text()``). The panel shows who did each step and when, offers "Why?" (the
findings with their evidence and sources, in a non-modal window) and "Escalate anyway", always.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.domain.alerts import priority_code
from infusion_monitor.domain.course import COURSE_ACTION_LABELS, CourseAction
from infusion_monitor.domain.findings_text import evidence_words, finding_title, words
from infusion_monitor.domain.guidance import (
    STANDING_ORDER_CHOICES,
    STANDING_ORDER_STEP,
    epinephrine_repeat_left,
    standing_order_choices,
)
from infusion_monitor.services.care.views import FindingView, GuidanceView, StepView
from infusion_monitor.ui.fitting import VerticalScroll, compact_choice
from infusion_monitor.ui.flow_layout import FlowLayout
from infusion_monitor.ui.session_text import epinephrine_text
from infusion_monitor.ui.theme import restyle

JUDGEMENT = (
    "These steps are your unit's protocol text. They support, and do not replace, your "
    "clinical judgement."
)


class StepRow(QFrame):
    """One step: its text, Done, Not done (with a reason) and, when answered, who and when."""

    done_clicked = Signal(str, str)
    declined = Signal(str, str)

    def __init__(
        self,
        step: StepView,
        number: int,
        parent: QWidget | None = None,
        *,
        choices: Sequence[CourseAction] = STANDING_ORDER_CHOICES,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("StepRow")
        self.step = step
        self.number = number
        #: The standing-order medications offered.
        self.choices: tuple[CourseAction, ...] = ()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setObjectName("StepText")
        self.done = QPushButton("Done")
        self.done.setToolTip("Record that this was done now, in your name")
        self.done.clicked.connect(self._on_done_clicked)
        self.choice = QComboBox()
        self.decline = QPushButton("Not done…")
        self.decline.setToolTip("Record that this step was not done; a reason is needed")
        self.decline.clicked.connect(self._on_decline_clicked)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why not? (required) — Enter to record")
        self.reason.setVisible(False)
        self.reason.returnPressed.connect(self._on_reason_entered)
        self.state = QLabel()
        self.state.setObjectName("StepState")

        # Buttons first: a narrow view clips the end of a long text, never the buttons.
        row = QHBoxLayout()
        row.addWidget(self.done)
        row.addWidget(self.decline)
        row.addWidget(self.choice)
        row.addWidget(self.text, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addLayout(row)
        layout.addWidget(self.reason)
        layout.addWidget(self.state)
        # An answered step keeps its geometry, and so every other step's buttons stay where the
        # nurse's hand is: the hidden buttons keep their room, and the "who and when" line is
        # kept free under every step.
        for widget in (self.done, self.decline, self.state):
            policy = widget.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            widget.setSizePolicy(policy)
        self.show_step(step, number, choices)

    def show_step(
        self, step: StepView, number: int, choices: Sequence[CourseAction] = STANDING_ORDER_CHOICES
    ) -> None:
        """Show ``step`` as step ``number`` (building rows is slow in Qt: the panel gives a row
        it has to another step); a reason typed under the step shown before goes with it."""
        self.step = step
        self.number = number
        if tuple(choices) != self.choices:
            self.choices = tuple(choices)
            self.choice.clear()
            for action in choices:
                self.choice.addItem(COURSE_ACTION_LABELS[action], action.value)
            compact_choice(self.choice, 12)
        self.choice.setCurrentIndex(0)
        self.text.setText(f"{number}. {step.text}")
        self.reason.clear()
        self.reason.setVisible(False)
        standing = step.code == STANDING_ORDER_STEP
        policy = self.choice.sizePolicy()
        policy.setRetainSizeWhenHidden(standing)
        self.choice.setSizePolicy(policy)
        answered = step.answered
        self.done.setVisible(not answered)
        self.decline.setVisible(not answered)
        # Only once it has a parent: shown before, the list would open as a window of its own
        # for a moment and take the keyboard from the main window.
        self.choice.setVisible(standing and not answered)
        self.state.setVisible(answered)
        self.state.setText(" ")
        if step.done_at is not None:
            at = step.done_at.astimezone().strftime("%H:%M:%S")
            if step.declined_reason:
                self.state.setText(f"✗ Not done ({step.declined_reason}) — {step.done_by}, {at}")
            else:
                detail = f" ({step.detail})" if step.detail else ""
                self.state.setText(f"✔ Done{detail} — {step.done_by}, {at}")
        self.setProperty("answered", answered)

    def _on_done_clicked(self) -> None:
        detail = str(self.choice.currentData()) if self.step.code == STANDING_ORDER_STEP else ""
        self.done_clicked.emit(self.step.code, detail)

    def _on_decline_clicked(self) -> None:
        self.reason.setVisible(True)
        self.reason.setFocus()

    def _on_reason_entered(self) -> None:
        self.declined.emit(self.step.code, self.reason.text().strip())


EPINEPHRINE_TIMER_STYLE = (
    "font-size: 18px; font-weight: 700; color: #111820; background: #FFF1C7;"
    " border: 2px solid #8A6100; padding: 4px 8px;"
)
EPINEPHRINE_DUE_STYLE = (
    "font-size: 18px; font-weight: 700; color: #FFFFFF; background: #A61B1B;"
    " border: 2px solid #5C0F0F; padding: 4px 8px;"
)


class FindingsWindow(QWidget):
    """The answer to "why?": every finding with its evidence and source. Never modal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool)
        self.setWindowTitle("Why? — findings behind the guidance (Esc closes)")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.resize(640, 520)
        self.browser = QTextBrowser()
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)

    def show_findings(self, guidance: GuidanceView, start: datetime | None = None) -> None:
        """Fill in the findings of ``guidance`` (minutes told as clock times from ``start``)."""
        self.browser.setHtml(findings_html(guidance.findings, guidance, start))


def findings_html(
    findings: Sequence[FindingView], guidance: GuidanceView, start: datetime | None = None
) -> str:
    """The findings in words: what was found, on what evidence (clock times), from which source."""
    pathways = ", ".join(words(p) for p in guidance.pathways) or "none"
    parts = [f"<p><b>Priority {priority_code(guidance.priority).upper()}</b> · {pathways}</p>"]
    if guidance.assessed_at is not None:
        parts.append(f"<p>Assessed at {guidance.assessed_at.astimezone():%H:%M:%S}</p>")
    for finding in findings:
        title = finding_title(finding.rule, finding.source)
        pathway = f" → {words(finding.pathway)}" if finding.pathway else ""
        evidence = "".join(f"<li>{evidence_words(item, start)}</li>" for item in finding.evidence)
        parts.append(f"<h3>{title}{pathway}</h3><ul>{evidence}</ul>")
    if not findings:
        parts.append("<p>No findings: nothing is flagged by the rules.</p>")
    parts.append(
        f"<p>Suggested CTCAE v5.0: {words(guidance.ctcae_term)}, "
        f"grade {guidance.ctcae_grade}.</p><p><b>{JUDGEMENT}</b></p>"
        f"<p><small>Rule set {guidance.ruleset}</small></p>"
    )
    return "".join(parts)


class GuidancePanel(QWidget):
    """What to do now, in order, with the steps answered so far."""

    #: (step code, detail): the nurse did this step now.
    step_done = Signal(str, str)
    #: (step code, reason): the nurse did not do it, and why.
    step_declined = Signal(str, str)
    #: A course action done outside the listed steps (code).
    treatment_given = Signal(str)
    escalate_requested = Signal()
    why_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Key G puts the focus here: on the panel, never on a Done button a space would press.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._guidance: GuidanceView | None = None
        self.heading = QLabel("No guidance: nothing is flagged.")
        self.heading.setObjectName("GuidanceHeading")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 20px; font-weight: 700;")
        self.why = QPushButton("Why?")
        self.why.setToolTip("The findings behind this guidance (evidence and sources)")
        self.why.clicked.connect(self.why_requested)
        self.escalate = QPushButton("Escalate anyway")
        self.escalate.setToolTip("Tell the unit now, whatever the rules say; always available")
        self.escalate.clicked.connect(self.escalate_requested)
        top = QHBoxLayout()
        top.addWidget(self.why)
        top.addWidget(self.escalate)
        top.addWidget(self.heading, 1)

        #: The drug protocol's notes for this reaction (e.g. IV iron: avoid first-generation H1).
        self.notes = QLabel()
        self.notes.setObjectName("ProtocolNotes")
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet(
            "font-size: 16px; color: #111820; background: #E6EFFB; border-left: 4px solid #0B4FA8;"
            " padding: 4px 8px;"
        )
        self.notes.setVisible(False)
        #: The repeat timer after an IM epinephrine dose, with the button for the next dose.
        self.epinephrine = QLabel()
        self.epinephrine.setObjectName("EpinephrineTimer")
        self.epinephrine.setWordWrap(True)
        self.repeat_dose = QPushButton("Next epinephrine dose given")
        self.repeat_dose.setToolTip("Record another IM epinephrine dose given now, in your name")
        self.repeat_dose.clicked.connect(self._on_repeat_dose_clicked)
        timer_row = QHBoxLayout()
        timer_row.addWidget(self.epinephrine, 1)
        timer_row.addWidget(self.repeat_dose)
        self._timer_box = QWidget()
        self._timer_box.setLayout(timer_row)
        self._timer_box.setVisible(False)

        self._steps_box = QWidget()
        self._steps = QVBoxLayout(self._steps_box)
        self._steps.setSpacing(4)
        self._steps.addStretch(1)
        scroll = VerticalScroll(self._steps_box)  # step texts wrap; never a sideways scroll
        #: The rows showing the steps, in order.
        self.rows: list[StepRow] = []
        #: Rows hidden under them, kept for the next steps.
        self._spare: list[StepRow] = []

        self.treatment = QComboBox()
        for action in CourseAction:
            self.treatment.addItem(COURSE_ACTION_LABELS[action], action.value)
        compact_choice(self.treatment, 14)
        record = QPushButton("Record treatment")
        record.setToolTip("Record another action done now (it counts in the course and the grade)")
        record.clicked.connect(lambda: self.treatment_given.emit(str(self.treatment.currentData())))
        other = FlowLayout(spacing=6)
        other.addWidget(QLabel("Other action done:"))
        other.addWidget(self.treatment)
        other.addWidget(record)

        self.problem = QLabel()
        self.problem.setStyleSheet("color: #A61B1B; font-weight: 700;")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        judgement = QLabel(JUDGEMENT)
        judgement.setWordWrap(True)
        judgement.setObjectName("Judgement")

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notes)
        layout.addWidget(scroll, 1)
        # Under the steps: the timer appearing after a dose moves no step's buttons.
        layout.addWidget(self._timer_box)
        layout.addWidget(self.problem)
        layout.addLayout(other)
        layout.addWidget(judgement)

    @property
    def guidance(self) -> GuidanceView | None:
        """The guidance shown."""
        return self._guidance

    def show_guidance(self, guidance: GuidanceView) -> None:
        """Show the steps of the latest assessment: the rows of steps that did not change are
        kept as they are (a reason being typed under an unchanged step stays); from the first
        changed step on, the rows show the new steps. Building rows is slow in Qt (tens of
        milliseconds for a reaction's steps, in the same turn as the alert band's first
        paint), so rows no longer needed are hidden and given to the next steps, and a row is
        built only when none is spare."""
        self._guidance = guidance
        choices = standing_order_choices(guidance.avoided)
        kept = 0
        for number, (row, step) in enumerate(zip(self.rows, guidance.steps, strict=False), 1):
            if (row.step, row.number, row.choices) != (step, number, choices):
                break
            kept += 1
        spare = self.rows[kept:] + self._spare  # in the layout's order
        focus = QApplication.focusWidget()
        if focus is not None and any(row.isAncestorOf(focus) for row in spare):
            # Never left to Qt's focus chain (the next row's Done, which a space would press).
            focus.clearFocus()
        self.rows = self.rows[:kept]
        for number, step in enumerate(guidance.steps[kept:], start=kept + 1):
            if spare:
                row = spare.pop(0)
                row.show_step(step, number, choices)
                row.setVisible(True)
            else:
                row = StepRow(step, number, choices=choices)
                row.done_clicked.connect(self.step_done)
                row.declined.connect(self._on_row_declined)
                self._steps.insertWidget(self._steps.count() - 1, row)
            self.rows.append(row)
        for row in spare:
            row.setVisible(False)
        self._spare = spare
        if guidance.priority is None:
            self.heading.setText("No guidance: nothing is flagged by the rules.")
        else:
            done = sum(step.answered for step in guidance.steps)
            pathways = ", ".join(p.replace("_", " ") for p in guidance.pathways)
            self.heading.setText(
                f"{guidance.priority.name} — {pathways}"
                f" · {done} of {len(guidance.steps)} steps answered"
            )
        notes = guidance.protocol_notes if guidance.steps else ()
        self.notes.setText("\n".join(["Protocol notes:", *(f"• {note}" for note in notes)]))
        self.notes.setVisible(bool(notes))
        self.problem.setVisible(False)

    def refresh(self, now: datetime) -> None:
        """The epinephrine repeat timer at ``now`` (the window's tick): shown while the guidance
        lists epinephrine and a dose was given."""
        guidance = self._guidance
        given = guidance.epinephrine_given if guidance is not None else ()
        shown = guidance is not None and guidance.epinephrine_indicated and bool(given)
        self._timer_box.setVisible(shown)
        if not shown:
            return
        self.epinephrine.setText(epinephrine_text(given, now))
        due = epinephrine_repeat_left(given, now) == timedelta(0)
        restyle(self.epinephrine, EPINEPHRINE_DUE_STYLE if due else EPINEPHRINE_TIMER_STYLE)

    def _on_repeat_dose_clicked(self) -> None:
        self.treatment_given.emit("epinephrine_im")

    def show_problem(self, text: str) -> None:
        """Say why the last answer was not recorded."""
        self.problem.setText(text)
        self.problem.setVisible(True)

    def _on_row_declined(self, code: str, reason: str) -> None:
        if not reason:
            self.show_problem("Say why the step was not done; the reason is recorded.")
            return
        self.step_declined.emit(code, reason)
