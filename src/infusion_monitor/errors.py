"""Errors that carry a message for the user: what is wrong and what to do about it."""


class UserError(Exception):
    """A problem the user can fix (bad input, bad configuration, an unusable file).

    The message is one or two plain sentences: what is wrong, then what to do. The command line
    prints it on one line and exits with ``exit_code``; the GUI shows it through the message funnel.
    """

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message
