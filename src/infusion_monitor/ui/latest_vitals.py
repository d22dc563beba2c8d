"""A session's latest vital signs with their provenance: typed or monitor, when measured, stale.

The chair tile, the session view and the unit board show the same words. A monitor value older
than ``[gateway] stale_after_min`` greys out and says "STALE" (``domain.monitor.is_stale``);
the widget re-asks at every tick, so a value goes stale while the screen is left alone and
comes back as soon as a fresh set is shown.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from infusion_monitor.domain.monitor import DEFAULT_STALE_AFTER, age_text
from infusion_monitor.domain.vitals_entry import Source
from infusion_monitor.services.sessions.records import LatestScore, LatestVitals

MISSING = "—"
CAPTIONS = ("HR", "BP", "RR", "SpO2", "T")
STRIP_GAP_PX = 8


def _label(object_name: str, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(object_name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


def value_cells(latest: LatestVitals) -> tuple[tuple[str, str], ...]:
    """(caption, value) per vital sign: ``("BP", "122/76")``; a dash for what the set lacks."""

    def number(value: float | None, digits: int = 0, unit: str = "") -> str:
        return MISSING if value is None else f"{value:.{digits}f}{unit}"

    signs = latest.signs
    bp = MISSING if signs.sbp is None or signs.dbp is None else f"{signs.sbp}/{signs.dbp}"
    if latest.mean_bp is not None:
        bp = f"{bp} ({latest.mean_bp})"
    values = (
        number(signs.hr),
        bp,
        number(signs.rr),
        number(signs.spo2, unit="%"),
        number(signs.temp_c, 1, "°C"),
    )
    return tuple(zip(CAPTIONS, values, strict=True))


def values_text(latest: LatestVitals) -> str:
    """``HR 72 · BP 122/76 · RR 14 · SpO2 98% · T 36.8°C`` (the unit board's line)."""
    return " · ".join(f"{caption} {value}" for caption, value in value_cells(latest))


#: How a carried NEWS2 parameter is named on screen, in the order it is named.
CARRIED_WORDS = {
    "acvpu": "ACVPU",
    "air_or_oxygen": "O2",
    "temp": "T",
    "rr": "RR",
    "spo2": "SpO2",
    "sbp": "SBP",
    "hr": "HR",
}


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


#: The chart to use where NEWS2 does not apply (reference.md §3.5 "known gaps"; D11).
OTHER_CHART = {"pregnancy": "obstetric", "under 16": "paediatric"}


def news2_does_not_apply(why: str | None) -> str:
    """``NEWS2 does not apply (pregnancy) — use your unit's obstetric early-warning chart``."""
    if why is None:
        return "NEWS2 does not apply — use your unit's paediatric / obstetric early-warning chart"
    chart = OTHER_CHART.get(why, "paediatric / obstetric")
    return f"NEWS2 does not apply ({why}) — use your unit's {chart} early-warning chart"


def score_text(score: LatestScore | None) -> str:
    """``NEWS2 7 · incomplete: ACVPU and O2 carried from the 10:42 typed set`` when the latest
    score rests on values carried from an earlier set (a monitor's set has no ACVPU or oxygen);
    ``NEWS2 does not apply (under 16) — use your unit's paediatric early-warning chart`` where
    the rules do not score NEWS2; empty when the score is complete or not scored."""
    if score is not None and not score.applicable:
        return news2_does_not_apply(score.not_applicable)
    if score is None or score.complete or score.score is None:
        return ""
    parts = []
    for carried in score.carried:
        names = [word for key, word in CARRIED_WORDS.items() if key in carried.parameters]
        kind = "monitor" if carried.source is Source.MONITOR else "typed"
        parts.append(
            f"{_and(names)} carried from the {carried.taken_at.astimezone():%H:%M} {kind} set"
        )
    detail = "; ".join(parts) if parts else "values missing"
    return f"NEWS2 {score.score} · incomplete: {detail}"


def provenance_text(latest: LatestVitals, now: datetime, stale_after: timedelta) -> str:
    """``Monitor 09:42 · 3 min ago``, ``Typed 09:40 · just now``; ``STALE · monitor ...`` once
    stale. The time is when the values were measured."""
    age = age_text(latest.taken_at, now)
    when = f"{latest.taken_at.astimezone():%H:%M} · {'just now' if age == 'now' else age + ' ago'}"
    if latest.stale(now, stale_after):
        return f"STALE · monitor {when}"
    return f"{'Monitor' if latest.source is Source.MONITOR else 'Typed'} {when}"


class LatestVitalsView(QFrame):
    """The latest set as a strip (small captions over the values, as on a monitor), provenance
    under it; grey with "STALE" once stale."""

    def __init__(
        self, stale_after: timedelta = DEFAULT_STALE_AFTER, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("LatestVitals")
        self.setProperty("stale", False)
        self._stale_after = stale_after
        self._latest: LatestVitals | None = None
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 2, 6, 4)
        grid.setHorizontalSpacing(STRIP_GAP_PX)
        grid.setVerticalSpacing(0)
        self.captions: list[QLabel] = []
        self.values: list[QLabel] = []
        for column, text in enumerate(CAPTIONS):
            caption = _label("LatestCaption", text)
            value = _label("LatestValue")
            grid.addWidget(caption, 0, column)
            grid.addWidget(value, 1, column)
            self.captions.append(caption)
            self.values.append(value)
        grid.setColumnStretch(len(CAPTIONS), 1)
        self.provenance = _label("LatestProvenance")
        self.provenance.setWordWrap(True)
        grid.addWidget(self.provenance, 2, 0, 1, len(CAPTIONS) + 1)
        self.score = _label("LatestScore")
        self.score.setWordWrap(True)
        self.score.setVisible(False)
        grid.addWidget(self.score, 3, 0, 1, len(CAPTIONS) + 1)
        self.setVisible(False)

    @property
    def latest(self) -> LatestVitals | None:
        """The set shown (None: nothing recorded yet, the view is hidden)."""
        return self._latest

    @property
    def stale(self) -> bool:
        """Whether the values are shown greyed out as stale."""
        return bool(self.property("stale"))

    @property
    def text(self) -> str:
        """What the view shows: ``HR 72 · BP 122/76 · ... · T 36.8°C Monitor 09:42 · now``."""
        cells = " · ".join(
            f"{caption.text()} {value.text()}"
            for caption, value in zip(self.captions, self.values, strict=True)
        )
        score = f" {self.score.text()}" if self.score.text() else ""
        return f"{cells} {self.provenance.text()}{score}"

    def show_latest(self, latest: LatestVitals | None, now: datetime) -> None:
        """Show a session's latest set (None hides the view)."""
        self._latest = latest
        self.setVisible(latest is not None)
        if latest is not None:
            for label, (_caption, value) in zip(self.values, value_cells(latest), strict=True):
                label.setText(value)
        words = "" if latest is None else score_text(latest.score)
        self.score.setText(words)
        self.score.setVisible(bool(words))
        self.refresh(now)

    def refresh(self, now: datetime) -> None:
        """Re-word the age and re-decide staleness at ``now`` (the window's tick)."""
        latest = self._latest
        if latest is None:
            return
        self.provenance.setText(provenance_text(latest, now, self._stale_after))
        stale = latest.stale(now, self._stale_after)
        self.setToolTip(
            "The monitor has sent nothing newer: check the monitor and the patient."
            if stale
            else "Latest vital signs: where they came from and when they were measured."
        )
        if stale != self.stale:
            self.setProperty("stale", stale)
            for widget in (self, *self.values, self.provenance):
                widget.style().unpolish(widget)
                widget.style().polish(widget)
