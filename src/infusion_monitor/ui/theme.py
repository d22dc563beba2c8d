"""The light, high-contrast theme: sizes and colours readable from two metres.

Key numbers are at least 28 px and labels at least 14 px. Every text/background pair below has a
contrast ratio of at least 4.5:1 (WCAG AA). Session states use neither red, yellow nor cyan: those
belong to alarms (IEC 60601-1-8).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from infusion_monitor.services.sessions.board import ChairState

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

KEY_NUMBER_PX = 40
#: The session view's timers: still a key number (at least 28 px), four abreast in a narrow view.
TIMER_PX = 32
IDENTITY_PX = 30
#: The session view's full identity line (name, MRN, date of birth) fits one line at 1600 px.
SESSION_NAME_PX = 26
DETAIL_PX = 20
CHAIR_PX = 24
LABEL_PX = 16
#: Small captions over values (a monitor's "HR" over its number); never below 14 px.
CAPTION_PX = 14
#: The latest vital signs: five abreast on a chair tile; larger in the session view.
LATEST_PX = 18
SESSION_LATEST_PX = 24
BADGE_PX = 18
HEADER_PX = 22

INK = "#111820"
MUTED_INK = "#4A5560"
PAGE = "#F3F5F7"
TILE = "#FFFFFF"
TILE_BORDER = "#9AA5B1"
SELECTED = "#0B4FA8"
SELECTED_TINT = "#E6EFFB"
#: A stale monitor value: grey on grey (still 5:1), never an alarm colour; the word says "STALE".
STALE_INK = "#5A6570"
STALE_FILL = "#E9ECEF"

#: Each state's badge: a symbol (the shape) shown before the word, text colour, fill, edge.
STATE_BADGES: dict[ChairState, tuple[str, str, str, str]] = {
    ChairState.FREE: ("○", INK, "#FFFFFF", MUTED_INK),
    ChairState.PLANNED: ("◇", INK, "#D5DAE0", MUTED_INK),
    ChairState.RUNNING: ("▶", "#FFFFFF", "#17692F", "#17692F"),
    ChairState.PAUSED: ("❚❚", "#FFFFFF", "#5A3E8C", "#5A3E8C"),
    ChairState.OBSERVATION: ("◷", "#FFFFFF", "#0B4FA8", "#0B4FA8"),
    ChairState.COMPLETED: ("✓", INK, "#D5DAE0", MUTED_INK),
    ChairState.DISCONTINUED: ("■", "#FFFFFF", "#3D4650", "#3D4650"),
}

#: Vitals schedule states (ui.md, as e-obs ward boards): symbol, text colour, fill, edge.
VITALS_BADGES: dict[str, tuple[str, str, str, str]] = {
    "not_yet_due": ("◷", INK, "#E2E6EA", MUTED_INK),
    "due": ("⚠", INK, "#FFC83D", "#8A6100"),
    "overdue": ("⛔", "#FFFFFF", "#B3261E", "#7A1712"),
    "nothing_recorded": ("◆", "#FFFFFF", "#6A1B9A", "#4A1270"),
}
#: The rate-step-due cue: an upward arrow and words on a light green, never alarm colours.
RATE_STEP_STYLE = "color: #0F4D22; background: #DCEFE1; border: 2px solid #17692F;"
#: A due rate step held back by the rules during a reaction: grey, a pause sign and words.
STEP_HOLD_STYLE = "color: #111820; background: #E2E6EA; border: 2px solid #4A5560;"
#: The allergy / previous-reaction banner.
REACTION_BANNER_STYLE = (
    "color: #FFFFFF; background: #A61B1B; border-radius: 6px; padding: 8px 14px;"
)

#: Message levels: the word, its symbol and the banner colours (text, background, edge).
MESSAGE_STYLES: dict[str, tuple[str, str, str, str]] = {
    "info": ("\u2139 INFO", INK, "#E6EFFB", SELECTED),
    "warning": ("⚠ WARNING", INK, "#FFF1C7", "#8A6100"),
    "error": ("⛔ ERROR", INK, "#FBE3E3", "#A61B1B"),
}

STYLE_SHEET = f"""
QMainWindow, #ChairBoard {{ background: {PAGE}; }}
QWidget {{ color: {INK}; font-size: {LABEL_PX}px; }}
QMenuBar, QMenu, QStatusBar {{ font-size: {LABEL_PX}px; }}
QStatusBar {{ background: #E2E6EA; border-top: 1px solid {TILE_BORDER}; }}
QStatusBar QLabel {{ color: {INK}; padding: 2px 8px; }}
#HeaderBar {{ background: #FFFFFF; border-bottom: 2px solid {TILE_BORDER}; }}
#HeaderUnit {{ font-size: {HEADER_PX}px; font-weight: 600; }}
#HeaderClock {{ font-size: {HEADER_PX}px; font-weight: 600; }}
#ChairTile {{
    background: {TILE}; border: 2px solid {TILE_BORDER}; border-radius: 10px;
}}
#ChairTile[selected="true"] {{ background: {SELECTED_TINT}; border: 6px solid {SELECTED}; }}
#ChairTile[state="free"] {{ background: #EEF1F4; border-style: dashed; }}
#ChairTile[state="free"][selected="true"] {{ background: {SELECTED_TINT}; border-style: solid; }}
#TileChair {{ font-size: {CHAIR_PX}px; font-weight: 700; }}
#TileBadge {{ font-size: {BADGE_PX}px; font-weight: 700; border-radius: 6px; padding: 3px 8px; }}
#TileIdentity {{ font-size: {IDENTITY_PX}px; font-weight: 700; }}
#TileDrug {{ font-size: {DETAIL_PX}px; font-weight: 600; }}
#TileDetail {{ font-size: {DETAIL_PX}px; }}
#TileTime {{ font-size: {KEY_NUMBER_PX}px; font-weight: 700; }}
#TileTimeLabel {{ font-size: {LABEL_PX}px; color: {MUTED_INK}; }}
#ChairsNotReadYet {{ font-size: {DETAIL_PX}px; color: {MUTED_INK}; padding: 24px; }}
#TileFree {{ font-size: {DETAIL_PX}px; color: {MUTED_INK}; }}
#TileVitals, #TileStep {{ font-size: {DETAIL_PX}px; font-weight: 700; border-radius: 6px;
    padding: 3px 10px; }}
#TileAlert {{ font-size: {DETAIL_PX}px; font-weight: 700; }}
#LatestVitals {{ background: {TILE}; border: 2px solid {TILE_BORDER}; border-radius: 6px; }}
#LatestCaption {{ font-size: {CAPTION_PX}px; font-weight: 600; color: {MUTED_INK}; }}
#LatestValue {{ font-size: {LATEST_PX}px; font-weight: 700; }}
#SessionView #LatestValue {{ font-size: {SESSION_LATEST_PX}px; }}
#LatestProvenance {{ font-size: {LABEL_PX}px; font-weight: 600; color: {MUTED_INK}; }}
#TileTreatment {{ font-size: {LABEL_PX}px; font-weight: 700; color: #111820;
    background: #FFF1C7; border: 2px solid #8A6100; padding: 2px 4px; }}
#LatestScore {{ font-size: {LABEL_PX}px; font-weight: 700; color: #6B4A00;
    background: #FFF1C7; border-left: 4px solid #8A6100; padding: 1px 4px; }}
#LatestVitals[stale="true"] {{ background: {STALE_FILL}; border: 2px dashed {MUTED_INK}; }}
#LatestVitals[stale="true"] #LatestValue {{ color: {STALE_INK}; font-weight: 400; }}
#LatestVitals[stale="true"] #LatestProvenance {{ color: {INK}; font-weight: 700; }}
#PlaceholderText {{ font-size: {IDENTITY_PX}px; color: {MUTED_INK}; }}
#SessionName {{ font-size: {SESSION_NAME_PX}px; font-weight: 700; }}
#SessionIdentity {{ font-size: {DETAIL_PX}px; font-weight: 600; }}
#SessionDrug {{ font-size: {LABEL_PX + 2}px; font-weight: 600; }}
#ReactionBanner {{ font-size: {DETAIL_PX}px; font-weight: 700; }}
#TimerBox {{ background: {TILE}; border: 2px solid {TILE_BORDER}; border-radius: 8px; }}
#TimerValue {{ font-size: {TIMER_PX}px; font-weight: 700; }}
#TimerCaption {{ font-size: {LABEL_PX}px; color: {MUTED_INK}; font-weight: 600; }}
#TimerNote {{ font-size: {LABEL_PX}px; font-weight: 600; border-radius: 4px; padding: 2px 6px; }}
#SessionView QPushButton, #SetupForm QPushButton {{ font-size: {LABEL_PX + 2}px; font-weight: 600;
    padding: 6px 12px; min-height: 28px; }}
#SessionView QLineEdit, #SessionView QDoubleSpinBox, #SetupForm QLineEdit, #SetupForm QSpinBox,
#SetupForm QDoubleSpinBox, #SetupForm QComboBox, #SetupForm QTimeEdit, #SetupForm QPlainTextEdit {{
    font-size: {LABEL_PX + 2}px; padding: 4px; min-height: 28px; }}
#SetupForm QGroupBox {{ font-size: {LABEL_PX + 2}px; font-weight: 700; }}
#SetupForm QCheckBox {{ font-size: {LABEL_PX + 1}px; }}
*[invalid="true"] {{ border: 3px solid #A61B1B; background: #FBE3E3; }}
#RiskNotes {{ background: #FFF8E1; border: 2px solid #8A6100; border-radius: 6px; padding: 8px;
    font-size: {LABEL_PX}px; }}
#FormTitle {{ font-size: {CHAIR_PX}px; font-weight: 700; }}
#SignInPanel {{ background: #FFFFFF; border: 1px solid #B8C0C8; border-radius: 8px; }}
#SignInPanel QLabel {{ font-size: {LABEL_PX + 2}px; }}
#SignInPanel #SignInTitle {{ font-size: {CHAIR_PX}px; font-weight: 700; }}
#SignInPanel QLineEdit {{ font-size: {DETAIL_PX}px; padding: 4px; min-height: 32px; }}
#SignInPanel QPushButton {{ font-size: {LABEL_PX + 2}px; font-weight: 700; padding: 6px 12px;
    min-height: 32px; }}
#SignInPanel #SignInError {{ color: #A61B1B; background: #FBE3E3; border: 2px solid #A61B1B;
    border-radius: 6px; padding: 6px; font-weight: 600; }}
#StepCue {{ font-size: {DETAIL_PX}px; font-weight: 700; border-radius: 6px; padding: 6px 12px; }}
#MessageBanner QLabel {{ font-size: {LABEL_PX}px; }}
#MessageLevel {{ font-weight: 700; }}
#MessageBanner QPushButton {{ font-size: {LABEL_PX}px; padding: 4px 14px; }}
"""

#: IEC 60601-1-8 alarm colours: (icon, text ink, fill, the pale phase of a flash, edge). The
#: icon's outline differs by priority so that colour is never the only cue.
ALARM_STYLES: dict[str, tuple[str, str, str, str, str]] = {
    "high": ("▲", "#FFFFFF", "#C8102E", "#FBE3E3", "#8E0B20"),
    "medium": ("◆", "#111820", "#FFD21F", "#FFF6CC", "#8A6100"),
    "low": ("●", "#111820", "#5FD3EE", "#5FD3EE", "#006A80"),
}
#: Text colour on the pale phase of a flash (the fill's ink would vanish on it).
ALARM_PALE_INK = "#111820"
ALARM_WORDS_PX = 28


def restyle(widget: QWidget, sheet: str) -> None:
    """Give ``widget`` the style sheet ``sheet``, unless it has it already.

    Qt recomputes the style of the widget and of every widget inside it at each
    ``setStyleSheet``, even with the same text; the window's tick and a change record that
    changed nothing a widget shows must not pay for that.
    """
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)
