"""The optional configuration file (TOML): database, rule set, chairs, backups and security."""

from __future__ import annotations

import tomllib
from datetime import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from infusion_monitor.errors import UserError

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


class SoundSection(BaseModel):
    """``[sound]``: prompt sounds. A mute always has a reason and lasts at most this long."""

    model_config = ConfigDict(extra="forbid")
    mute_max_min: int = Field(default=10, ge=1, le=60)
    volume: float = Field(default=0.8, ge=0.2, le=1.0)


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
    """``[alerts]``: how long an unacknowledged high alert waits before it re-sounds and before
    it is escalated to the unit (seconds)."""

    model_config = ConfigDict(extra="forbid")
    repeat_sound_s: int = Field(default=60, gt=0)
    escalate_after_s: int = Field(default=120, gt=0)


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
    """Read the configuration file; a missing file means the defaults."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise UserError(f"The configuration file {path} cannot be read ({exc.strerror}).") from exc
    try:
        return Config.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"The configuration file {path} is not valid TOML: {exc}. Fix it.") from exc
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise UserError(
            f"The configuration file {path} has a problem at '{where}': {problem['msg']}. Fix it."
        ) from exc


def configured_rules_file(config: Config, config_file: Path) -> Path | None:
    """The site rule-set file the configuration names (relative to the config file), or None."""
    chosen = config.rules.file
    if chosen is None:
        return None
    chosen = chosen.expanduser()
    return chosen if chosen.is_absolute() else config_file.parent / chosen
