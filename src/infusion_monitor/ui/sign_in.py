"""The lock screen's sign-in panel (and first-run form): beside the board, never a modal dialog.

While nobody is signed in the board stays visible with every state word, time and alert band,
and only patient identity is hidden; this panel sits at the side. A failed sign-in keeps the
staff ID (and, when the database was at fault, the PIN too) so the nurse can simply retry.
The first-run form gives way to the sign-in as soon as an administrator who can sign in exists,
made here or at another workstation (:meth:`SignInPanel.follow_accounts`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from infusion_monitor.domain.users import Actor, Role
from infusion_monitor.errors import UserError
from infusion_monitor.services.staff.credentials import (
    PIN_MAX_DIGITS,
    FieldError,
    FirstRunDone,
    PinChoiceNeeded,
    SignInFailed,
)

if TYPE_CHECKING:
    from infusion_monitor.services.staff.accounts import StaffMember

SignIn = Callable[[str, str], Actor]
CreateAdministrator = Callable[[str, str, str], Actor]
#: (staff ID, one-time code, new PIN) → the signed-in actor.
ChoosePin = Callable[[str, str, str], Actor]


def _pin_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(PIN_MAX_DIGITS)
    field.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
    return field


class SignInPanel(QFrame):
    """Staff ID + PIN, or on first run the administrator's account; emits ``signed_in``."""

    signed_in = Signal(object)

    def __init__(
        self,
        sign_in: SignIn,
        create_administrator: CreateAdministrator,
        *,
        first_run: bool,
        choose_pin: ChoosePin | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SignInPanel")
        self.setFixedWidth(440)
        self._sign_in = sign_in
        self._create_administrator = create_administrator
        self._choose_pin = choose_pin
        self._first_run = first_run
        #: The accepted one-time code while the member of staff chooses a PIN.
        self._code: str | None = None

        self.title = QLabel()
        self.title.setObjectName("SignInTitle")
        self.title.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.staff_id = QLineEdit()
        self.staff_id.setMaxLength(32)
        self.name = QLineEdit()
        self.pin = _pin_field()
        self.pin_again = _pin_field()
        self.error = QLabel()
        self.error.setObjectName("SignInError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.submit = QPushButton()
        self.submit.setDefault(True)
        self.submit.clicked.connect(self._on_submit_clicked)
        for field in (self.staff_id, self.name, self.pin, self.pin_again):
            field.returnPressed.connect(self._on_submit_clicked)

        self._form = QFormLayout()
        self._form.addRow("Staff ID", self.staff_id)
        self._form.addRow("Name", self.name)
        self._form.addRow("PIN", self.pin)
        self._form.addRow("PIN again", self.pin_again)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 20)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addLayout(self._form)
        layout.addWidget(self.error)
        layout.addWidget(self.submit)
        self._show_mode()

    @property
    def first_run(self) -> bool:
        """Whether the panel asks for the first administrator's account."""
        return self._first_run

    def reset(self) -> None:
        """Clear every field and message (after a sign-in, before the next lock)."""
        for field in (self.staff_id, self.name, self.pin, self.pin_again):
            field.clear()
        self._code = None
        self.staff_id.setReadOnly(False)
        self._show_mode()
        self._show_error(None)

    def follow_accounts(self, accounts: tuple[StaffMember, ...]) -> None:
        """The staff accounts as stored now: once an administrator with a PIN exists, the
        first-run form becomes the sign-in; while none does, the form asks for the first one
        (a start after a crash paints before the accounts are read). What was typed stays; a
        one-time code's PIN choice under way is left alone. The test is the sign-in service's
        own (``administrator_exists``), so the form never offers what the service refuses."""
        first_run = not any(a.role is Role.ADMINISTRATOR and a.has_pin for a in accounts)
        if first_run != self._first_run and self._code is None:
            self._first_run = first_run
            self._show_mode()

    def focus_first_field(self) -> None:
        """Put the cursor in the staff ID field."""
        self.staff_id.setFocus()

    def _show_mode(self) -> None:
        first = self._first_run
        choosing = self._code is not None
        if choosing:
            self.title.setText("Choose your PIN")
            self.hint.setText(
                "Your one-time code is accepted. Type your own PIN (4 to 8 digits) twice;"
                " from now on you sign in with it."
            )
        else:
            self.title.setText("Create the administrator account" if first else "Screen locked")
            self.hint.setText(
                "No staff account exists yet. The administrator adds the nurses' accounts."
                if first
                else "Patient identity is hidden; alarms stay on. Sign in with your staff ID and"
                " PIN (or the one-time code you were given)."
            )
        for field, shown in ((self.name, first), (self.pin_again, first or choosing)):
            field.setVisible(shown)
            label = self._form.labelForField(field)
            if label is not None:
                label.setVisible(shown)
        self.submit.setText(
            "Save my PIN and sign in"
            if choosing
            else "Create administrator and sign in"
            if first
            else "Sign in"
        )

    def _show_error(self, text: str | None) -> None:
        self.error.setText(text or "")
        self.error.setVisible(text is not None)

    def _on_submit_clicked(self) -> None:
        try:
            if (self._first_run or self._code is not None) and (
                self.pin.text() != self.pin_again.text()
            ):
                raise FieldError("PIN again", "The two PINs differ; type the same PIN twice.")
            if self._code is not None and self._choose_pin is not None:
                actor = self._choose_pin(self.staff_id.text(), self._code, self.pin.text())
            elif self._first_run:
                actor = self._create_administrator(
                    self.staff_id.text(), self.name.text(), self.pin.text()
                )
            else:
                actor = self._sign_in(self.staff_id.text(), self.pin.text())
        except PinChoiceNeeded:
            self._code = self.pin.text()
            self.staff_id.setReadOnly(True)
            self.pin.clear()
            self._show_mode()  # the title and hint say what to do: no red error box
            self.pin.setFocus()
            self._show_error(None)
            return
        except FirstRunDone as exc:  # made at another workstation meanwhile: sign in instead
            self._first_run = False
            self._show_mode()
            self._show_error(exc.message)
            return
        except SignInFailed as exc:
            self.pin.clear()  # a wrong PIN is typed again; the staff ID stays
            self.pin.setFocus()
            self._show_error(exc.message)
            return
        except UserError as exc:  # a bad field or the database's fault: keep everything typed
            self._show_error(exc.message)
            return
        self._first_run = False
        self.reset()
        self.signed_in.emit(actor)
