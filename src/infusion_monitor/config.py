"""The optional configuration file (TOML): database, rule set, chairs, backups and security."""

from __future__ import annotations

import tomllib
from datetime import time
from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from infusion_monitor.domain.alarm_signals import (
    INTERBURST_RANGE_S,
    LOW_MIN_INTERBURST_S,
    AlarmTiming,
    interburst_problem,
)
from infusion_monitor.domain.alerts import AlertPriority
from infusion_monitor.domain.monitor import HEART_RATE_SOURCES
from infusion_monitor.errors import UserError
from infusion_monitor.files import read_text

DEFAULT_CHAIRS = ("Chair 1", "Chair 2", "Chair 3", "Chair 4", "Chair 5", "Chair 6")


class DatabaseSection(BaseModel):
    """``[database]``: where the records live. Empty means the embedded SQLite file."""

    model_config = ConfigDict(extra="forbid")
    url: str | None = None


class RulesSection(BaseModel):
    """``[rules]``: a site rule-set file to use instead of the shipped default."""

    model_config = ConfigDict(extra="forbid")
    file: Path | None = None


class UnitSection(BaseModel):
    """``[unit]``: this workstation's chairs, in board order."""

    model_config = ConfigDict(extra="forbid")
    name: str = "Infusion unit"
    chairs: list[str] = Field(default_factory=lambda: list(DEFAULT_CHAIRS), min_length=1)


class GatewaySection(BaseModel):
    """``[gateway]``: the bedside-monitor feed (HL7 v2 over MLLP) and monitor-value staleness."""

    model_config = ConfigDict(extra="forbid")
    listen: str | None = None
    """``HOST:PORT`` to receive monitor messages on (e.g. ``127.0.0.1:2575``); none: off."""
    stale_after_min: int = Field(default=5, ge=1, le=240)
    """Minutes after which a monitor value greys out on screen."""
    heart_rate_sources: list[str] = Field(
        default_factory=lambda: list(HEART_RATE_SOURCES), min_length=1
    )
    """The order in which the rules' heart rate is chosen when a monitor sends several (ECG,
    pulse oximeter, cuff, arterial line, unspecified); a source left out is stored, not used."""

    @field_validator("heart_rate_sources")
    @classmethod
    def _known_sources(cls, value: list[str]) -> list[str]:
        unknown = [source for source in value if source not in HEART_RATE_SOURCES]
        if unknown or len(set(value)) != len(value):
            raise ValueError(
                f"list each of {', '.join(HEART_RATE_SOURCES)} at most once "
                f"(not {', '.join(unknown) or 'twice'})"
            )
        return value


#: The longest audio pause of the alarms a unit may configure (minutes).
MAX_ALARM_PAUSE_MIN = 5


class SoundSection(BaseModel):
    """``[sound]``: alarm and prompt sounds.

    ``volume`` is the alarms' and prompts' volume (0-1); ``volume_floor`` is the administrator's
    floor, below which alarms are never played and the app warns. The interburst intervals are
    checked against IEC 60601-1-8 Table 3; ``low_interburst_s`` 0 means a low-priority alarm
    sounds once. ``alarm_pause_min`` is how long "Pause alarm audio" silences the alarms.
    A vitals-prompt mute always has a reason and lasts at most ``mute_max_min``.
    """

    model_config = ConfigDict(extra="forbid")
    mute_max_min: int = Field(default=10, ge=1, le=60)
    volume: float = Field(default=0.8, ge=0.2, le=1.0)
    volume_floor: float = Field(default=0.5, ge=0.2, le=1.0)
    alarm_pause_min: float = Field(default=2.0, ge=0.5, le=MAX_ALARM_PAUSE_MIN)
    high_interburst_s: float = 5.0
    medium_interburst_s: float = 15.0
    low_interburst_s: float = 0.0

    @field_validator("high_interburst_s", "medium_interburst_s", "low_interburst_s")
    @classmethod
    def _inside_the_standard(cls, value: float, info: ValidationInfo) -> float:
        priority = AlertPriority[str(info.field_name).split("_", 1)[0].upper()]
        if priority is AlertPriority.LOW:
            allowed = value == 0 or value > LOW_MIN_INTERBURST_S
        else:
            low, high = INTERBURST_RANGE_S[priority]
            allowed = low <= value <= high
        if not allowed:
            raise ValueError(interburst_problem(priority, value))
        return value

    @model_validator(mode="after")
    def _volume_above_floor(self) -> SoundSection:
        if self.volume < self.volume_floor:
            raise ValueError(
                f"volume {self.volume:g} is below the alarm volume floor {self.volume_floor:g};"
                " raise the volume or ask the administrator to lower the floor"
            )
        return self

    @property
    def timing(self) -> AlarmTiming:
        """The alarms' repetition as the sound scheduler takes it."""
        return AlarmTiming(
            self.high_interburst_s, self.medium_interburst_s, self.low_interburst_s or None
        )


class BackupSection(BaseModel):
    """``[backup]``: automatic copies of the SQLite database (online backup API)."""

    model_config = ConfigDict(extra="forbid")
    #: Take a copy at start, then every this many hours while the app runs.
    every_hours: float = Field(default=4.0, gt=0, le=24 * 7)
    #: How many automatic copies to keep (older ones are deleted).
    keep: int = Field(default=12, ge=1, le=1000)


class SecuritySection(BaseModel):
    """``[security]``: sign-in lock-out and automatic screen lock."""

    model_config = ConfigDict(extra="forbid")
    #: Lock the screen (hide patient identity, keep alarms) after this long without input.
    lock_after_minutes: float = Field(default=5.0, gt=0, le=240)
    #: Wrong PINs in a row that lock an account, and for how long.
    max_failed_pins: int = Field(default=5, ge=3, le=20)
    lockout_minutes: float = Field(default=5.0, gt=0, le=24 * 60)
    #: This workstation's name in the audit trail (default: the computer's host name).
    workstation: str | None = Field(default=None, min_length=1, max_length=100)


class AlertsSection(BaseModel):
    """``[alerts]``: how long an unacknowledged high alert waits before it is escalated to the
    unit (seconds). How often alarms sound again is ``[sound]``'s interburst intervals."""

    model_config = ConfigDict(extra="forbid")
    escalate_after_s: int = Field(default=120, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _moved_setting(cls, data: object) -> object:
        if isinstance(data, dict) and "repeat_sound_s" in data:
            raise ValueError(
                "repeat_sound_s is no longer used: alarms repeat after [sound] "
                "high_interburst_s (2.5-15 s) and medium_interburst_s (2.5-30 s); remove it"
            )
        return data


class ShiftEntry(BaseModel):
    """One shift of ``[quality] shifts``: its name and local start time (``HH:MM``)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=40)
    start: time


class QualitySection(BaseModel):
    """``[quality]``: what the quality page measures against. The unit sets these; no clinical
    source fixes them."""

    model_config = ConfigDict(extra="forbid")
    #: The target line of "vitals on time", in percent.
    vitals_on_time_target_pct: float = Field(default=95.0, ge=0, le=100)
    #: The shifts alarm response is grouped by (each runs until the next one starts).
    shifts: list[ShiftEntry] = Field(
        default_factory=lambda: [
            ShiftEntry(name="Day 07-15", start=time(7)),
            ShiftEntry(name="Evening 15-23", start=time(15)),
            ShiftEntry(name="Night 23-07", start=time(23)),
        ],
        min_length=1,
    )


class Config(BaseModel):
    """The whole configuration file; every section is optional."""

    model_config = ConfigDict(extra="forbid")
    database: DatabaseSection = Field(default_factory=DatabaseSection)
    rules: RulesSection = Field(default_factory=RulesSection)
    unit: UnitSection = Field(default_factory=UnitSection)
    gateway: GatewaySection = Field(default_factory=GatewaySection)
    sound: SoundSection = Field(default_factory=SoundSection)
    backup: BackupSection = Field(default_factory=BackupSection)
    security: SecuritySection = Field(default_factory=SecuritySection)
    alerts: AlertsSection = Field(default_factory=AlertsSection)
    quality: QualitySection = Field(default_factory=QualitySection)


def load_config(path: Path) -> Config:
    """Read the configuration file; a missing file means the defaults.

    Saved by Notepad or PowerShell it may start with a byte-order mark, or be UTF-16: both read.
    """
    try:
        text = read_text(path)
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise UserError(f"The configuration file {path} cannot be read ({exc.strerror}).") from exc
    except UnicodeDecodeError as exc:
        raise UserError(
            f"The configuration file {path} is not UTF-8 text (byte {exc.start}). "
            "Save it as UTF-8 (Notepad: Save as, Encoding UTF-8)."
        ) from exc
    try:
        return Config.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"The configuration file {path} is not valid TOML: {exc}. Fix it.") from exc
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise UserError(
            f"The configuration file {path} has a problem at '{where}': "
            f"{problem['msg'].removeprefix('Value error, ')}. Fix it."
        ) from exc


def configured_rules_file(config: Config, config_file: Path) -> Path | None:
    """The site rule-set file the configuration names (relative to the config file), or None."""
    chosen = config.rules.file
    if chosen is None:
        return None
    chosen = chosen.expanduser()
    return chosen if chosen.is_absolute() else config_file.parent / chosen
