"""The optional configuration file (TOML): database URL, rule set and the unit's chairs."""

from __future__ import annotations

import tomllib
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


class AlertsSection(BaseModel):
    """``[alerts]``: how long an unacknowledged high alert waits before it re-sounds and before
    it is escalated to the unit (seconds)."""

    model_config = ConfigDict(extra="forbid")
    repeat_sound_s: int = Field(default=60, gt=0)
    escalate_after_s: int = Field(default=120, gt=0)


class Config(BaseModel):
    """The whole configuration file; every section is optional."""

    model_config = ConfigDict(extra="forbid")
    database: DatabaseSection = Field(default_factory=DatabaseSection)
    rules: RulesSection = Field(default_factory=RulesSection)
    unit: UnitSection = Field(default_factory=UnitSection)
    alerts: AlertsSection = Field(default_factory=AlertsSection)


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
