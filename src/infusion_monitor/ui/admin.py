"""Non-modal windows for the administrator (staff accounts) and the charge nurse (audit trail).

Both only display what the services return and forward what is typed; the services check the
role, so a window opened by the wrong person shows the refusal instead of any data. The staff
window mirrors the unit model's staff accounts, so a change made at another workstation shows
without a refresh.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.domain.changes import Changes
from infusion_monitor.domain.users import Actor, Permission, Role
from infusion_monitor.errors import UserError
from infusion_monitor.model.unit import UnitModel
from infusion_monitor.services.audit import AuditFilter, AuditService
from infusion_monitor.services.staff.accounts import StaffMember, StaffService
from infusion_monitor.services.staff.sign_in import STAFF_CHANGED
from infusion_monitor.ui.date_filter import date_filter_edit, start_of_day

CurrentActor = Callable[[], Actor]


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class StaffWindow(QWidget):
    """Add staff, reset a PIN, change a role. Every change goes through :class:`StaffService`;
    the list shows the accounts it is given (:func:`mirror_staff`: the unit model's)."""

    #: An account was changed here (the list follows once the model has read it).
    changed = Signal()
    #: The window closed (it stops following the model).
    closed = Signal()

    def __init__(self, staff: StaffService, actor: CurrentActor) -> None:
        super().__init__()
        self.setWindowTitle("Staff accounts — Infusion Monitor")
        self.resize(760, 560)
        self._staff = staff
        self._actor = actor
        self.table = _table(["Staff ID", "Name", "Role", "PIN set", "Account"])
        self.staff_id = QLineEdit()
        self.name = QLineEdit()
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role.label, role)
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setWordWrap(True)
        add = QPushButton("Add staff")
        add.clicked.connect(self._on_add_clicked)
        reset = QPushButton("Reset PIN of staff ID")
        reset.clicked.connect(self._on_reset_clicked)
        change = QPushButton("Change role of staff ID")
        change.clicked.connect(self._on_change_role_clicked)
        form = QFormLayout()
        form.addRow("Staff ID", self.staff_id)
        form.addRow("Name", self.name)
        form.addRow("Role", self.role)
        form.addRow("PIN (4 to 8 digits)", self.pin)
        buttons = QHBoxLayout()
        for button in (add, reset, change):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

    def show_accounts(self, members: tuple[StaffMember, ...]) -> None:
        """Show ``members``, or why the signed-in member of staff may not see them."""
        try:
            self._actor().require(Permission.MANAGE_STAFF)
        except UserError as exc:
            self.table.setRowCount(0)
            self.message.setText(exc.message)
            return
        self.table.setRowCount(len(members))
        for row, member in enumerate(members):
            cells = (
                member.staff_id,
                member.name,
                member.role.label,
                "yes" if member.has_pin else "no",
                "active" if member.active else "disabled",
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def _run(self, action: Callable[[], object], done: str) -> None:
        try:
            action()
        except UserError as exc:
            self.message.setText(exc.message)  # the form keeps its values for a retry
            return
        self.message.setText(done)
        self.pin.clear()
        self.changed.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Stop following the model once closed."""
        self.closed.emit()
        super().closeEvent(event)

    def _on_add_clicked(self) -> None:
        self._run(
            lambda: self._staff.add_staff(
                self._actor(),
                self.staff_id.text(),
                self.name.text(),
                self.role.currentData(),
                self.pin.text(),
            ),
            "Account added.",
        )

    def _on_reset_clicked(self) -> None:
        self._run(
            lambda: self._staff.reset_pin(self._actor(), self.staff_id.text(), self.pin.text()),
            "PIN reset; any lock-out on the account has ended.",
        )

    def _on_change_role_clicked(self) -> None:
        self._run(
            lambda: self._staff.change_role(
                self._actor(), self.staff_id.text(), self.role.currentData()
            ),
            "Role changed.",
        )


def mirror_staff(
    window: StaffWindow, model: UnitModel, reread: Callable[[Changes], None]
) -> StaffWindow:
    """Let ``window`` show the model's staff accounts while it is open (read again at once)."""
    model.staff_changed.connect(window.show_accounts)

    def forget(*_args: object) -> None:
        model.staff_changed.disconnect(window.show_accounts)

    window.closed.connect(forget)
    window.destroyed.connect(forget)
    window.changed.connect(lambda: reread(STAFF_CHANGED))
    window.show_accounts(model.staff or ())  # or at once why they may not be seen
    reread(STAFF_CHANGED)
    return window


class AuditWindow(QWidget):
    """Read-only audit trail with filters by date, actor and entity; verifies the chain."""

    def __init__(self, audit: AuditService, actor: CurrentActor) -> None:
        super().__init__()
        self.setWindowTitle("Audit trail — Infusion Monitor")
        self.resize(1100, 640)
        self._audit = audit
        self._actor = actor
        today = QDate.currentDate()
        self.since = date_filter_edit(today.addDays(-7))
        self.until = date_filter_edit(today)
        self.who = QLineEdit()
        self.who.setPlaceholderText("staff ID")
        self.entity = QLineEdit()
        self.entity.setPlaceholderText("e.g. staff, infusion_session")
        show = QPushButton("Show")
        show.clicked.connect(self.refresh)
        verify = QPushButton("Verify chain")
        verify.clicked.connect(self._on_verify_clicked)
        filters = QHBoxLayout()
        for label, widget in (
            ("From", self.since),
            ("To", self.until),
            ("Actor", self.who),
            ("Entity", self.entity),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(show)
        filters.addWidget(verify)
        self.table = _table(
            ["#", "When", "Actor", "Role", "Workstation", "Action", "Entity", "Id", "Change"]
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self.refresh()

    def _filter(self) -> AuditFilter:
        return AuditFilter(
            since=start_of_day(self.since.date()),
            until=start_of_day(self.until.date()) + timedelta(days=1),
            actor=self.who.text() or None,
            entity=self.entity.text() or None,
        )

    def refresh(self) -> None:
        """Load the rows matching the filters (or show why they may not be seen)."""
        try:
            rows = self._audit.entries(self._actor(), self._filter())
        except UserError as exc:
            self.table.setRowCount(0)
            self.message.setText(exc.message)
            return
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            change = json.dumps({"before": row.before, "after": row.after}, ensure_ascii=False)
            cells = (
                str(row.id),
                row.at.astimezone().strftime("%d %b %Y %H:%M:%S"),
                row.actor,
                row.actor_role or "",
                row.workstation or "",
                row.action,
                row.entity,
                row.entity_id,
                change,
            )
            for column, text in enumerate(cells):
                self.table.setItem(index, column, QTableWidgetItem(text))
        self.message.setText(f"{len(rows)} entries.")

    def _on_verify_clicked(self) -> None:
        try:
            result = self._audit.verify(self._actor())
        except UserError as exc:
            self.message.setText(exc.message)
            return
        if result.broken is None:
            self.message.setText(f"Audit chain intact: {result.entries} entries.")
        else:
            self.message.setText(
                f"Audit chain BROKEN at entry {result.broken.entry_id}: {result.broken.reason}. "
                "Tell IT and keep this database."
            )
