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


class GatewaySection(BaseModel):
    """``[gateway]``: the bedside-monitor feed (HL7 v2 over MLLP) and monitor-value staleness."""

    model_config = ConfigDict(extra="forbid")
    listen: str | None = None
    """``HOST:PORT`` to receive monitor messages on (e.g. ``127.0.0.1:2575``); none: off."""
    stale_after_min: int = Field(default=5, ge=1, le=240)
    """Minutes after which a monitor value greys out on screen."""


class Config(BaseModel):
    """The whole configuration file; every section is optional."""

    model_config = ConfigDict(extra="forbid")
    database: DatabaseSection = Field(default_factory=DatabaseSection)
    rules: RulesSection = Field(default_factory=RulesSection)
    unit: UnitSection = Field(default_factory=UnitSection)
    gateway: GatewaySection = Field(default_factory=GatewaySection)


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
