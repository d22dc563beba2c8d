"""The quality page's service: a period's measures for charge nurses, in one read-only session.

The measures themselves are pure (``quality_measures``) over facts read in a few grouped queries
over the per-session summaries (``quality_reads``); the sessions behind a figure are listed
only when asked for. Qt-free: the page calls :meth:`QualityService.report` from a worker thread,
and each call opens its own database session, so a whole year never holds the window.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from infusion_monitor.domain.users import Actor, Permission
from infusion_monitor.services.review.quality_facts import Progress, QualitySettings, filter_words
from infusion_monitor.services.review.quality_measures import QualityReport, build_report
from infusion_monitor.services.review.quality_reads import SummaryReader
from infusion_monitor.services.review.query import FilterChoices, SessionFilter, filter_choices


def period_words(since: datetime | None, until: datetime | None, settings: QualitySettings) -> str:
    """``01 Jan 2026 to 31 Dec 2026`` (local dates; ``until`` is the first day not included)."""
    if since is None or until is None:
        return "all finished sessions"
    first = since.astimezone(settings.zone)
    last = (until - timedelta(microseconds=1)).astimezone(settings.zone)
    return f"{first:%d %b %Y} to {last:%d %b %Y}"


def _no_progress(_share: float, _what: str) -> None:
    """Nobody is watching."""


class QualityService:
    """Reads the unit's quality measures for a period and filter (charge nurses only)."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: QualitySettings | None = None
    ) -> None:
        self._sessions = sessions
        self.settings = settings or QualitySettings()

    def choices(self, actor: Actor) -> FilterChoices:
        """The drugs, nurses and chairs the page's filters offer."""
        actor.require(Permission.REVIEW)
        with self._sessions() as db:
            return filter_choices(db)

    def report(
        self, actor: Actor, wanted: SessionFilter, progress: Progress = _no_progress
    ) -> QualityReport:
        """The measures of the finished sessions ``wanted`` matches (its period and filters).

        A figure's ``sessions`` are read when first asked for (a database read: off the GUI
        thread), by the same actor's right, in a database session of their own.
        """
        actor.require(Permission.REVIEW)
        names: dict[str, dict[int, str]] = {}
        with self._sessions() as db:
            if wanted.nurse_id is not None or wanted.chair_id is not None:
                choices = filter_choices(db)  # the names of the nurse and chair filtered by
                names = {"nurse": dict(choices.nurses), "chair": dict(choices.chairs)}
            facts = SummaryReader(self._sessions, wanted, self.settings).read(db, progress)
        report = build_report(
            facts,
            self.settings,
            period_words(wanted.since, wanted.until, self.settings),
            filter_words(wanted, names),
        )
        progress(1.0, "Done")
        return report
