"""Plug the review and quality pages into the main window: a Review menu, role-guarded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from infusion_monitor.domain.clock import Clock
from infusion_monitor.domain.users import Actor, Permission
from infusion_monitor.services.review.gate import ReviewService
from infusion_monitor.services.review.quality import QualityService

if TYPE_CHECKING:
    from infusion_monitor.ui.main_window import MainWindow


@dataclass(frozen=True)
class ReviewWiring:
    """What the review pages need."""

    review: ReviewService
    quality: QualityService
    actor: Callable[[], Actor]
    clock: Clock


class ReviewMenu:
    """The Review menu of the main window and the windows it opens."""

    def __init__(self, window: MainWindow, wiring: ReviewWiring) -> None:
        self._window = window
        self._wiring = wiring
        bar = window.menuBar()
        menu = QMenu("&Review", bar)
        help_menu = next((a for a in bar.actions() if a.text() == "&Help"), None)
        if help_menu is None:
            bar.addMenu(menu)
        else:  # Help stays last, as platforms expect
            bar.insertMenu(help_menu, menu)
        self.sessions_action = menu.addAction("&Session review…")
        # Not Ctrl+Shift+R: that resumes the infusion in the session view.
        self.sessions_action.setShortcut(QKeySequence("Ctrl+Alt+R"))
        self.sessions_action.triggered.connect(self.open_review)
        self.quality_action = menu.addAction("&Quality measures…")
        self.quality_action.triggered.connect(self.open_quality)
        window.guard_actions(
            [(self.sessions_action, Permission.REVIEW), (self.quality_action, Permission.REVIEW)]
        )

    def open_review(self) -> QWidget:
        """The session list (the service refuses roles without the review right)."""
        from infusion_monitor.ui.review.session_list import ReviewWindow

        wiring = self._wiring
        return self._window.open_window(ReviewWindow(wiring.review, wiring.actor, wiring.clock))

    def open_quality(self) -> QWidget:
        """The quality page (charge nurses)."""
        from infusion_monitor.ui.review.quality_window import QualityWindow

        wiring = self._wiring
        return self._window.open_window(
            QualityWindow(wiring.quality, wiring.review, wiring.actor, wiring.clock)
        )


def attach_review(window: MainWindow, wiring: ReviewWiring) -> ReviewMenu:
    """Add the Review menu (enabled for roles with the review right) to ``window``."""
    menu = ReviewMenu(window, wiring)
    window.review_menu = menu
    return menu
