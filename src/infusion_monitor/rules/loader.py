"""Load a rule-set file into a ``RuleSet``, and hold the rule set in force across reloads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from infusion_monitor.datafile import DataFileError, FileProblem, load_toml_model
from infusion_monitor.resources import resource
from infusion_monitor.rules.model import RuleDefinition

DEFAULT_FILE = "default.toml"


@dataclass(frozen=True)
class RuleSet:
    """A validated rule set; ``version`` is ``sha256:`` and the SHA-256 hex of the file's bytes."""

    file: str
    version: str
    definition: RuleDefinition

    @property
    def name(self) -> str:
        """The rule set's own name (``name = ...`` in the file)."""
        return self.definition.name


def parse_rules(data: bytes, file: str) -> RuleSet:
    """Validate the bytes of a rule-set file named ``file``; raise DataFileError if refused."""
    try:
        text = data.decode("utf-8-sig")  # Notepad may add a byte-order mark
    except UnicodeDecodeError as exc:
        raise DataFileError([FileProblem(file, None, f"not UTF-8 text ({exc.reason})")]) from exc
    definition = load_toml_model(text, file, RuleDefinition)
    return RuleSet(file, "sha256:" + hashlib.sha256(data).hexdigest(), definition)


def load_rules(path: Path) -> RuleSet:
    """Read and validate a rule-set file; raise DataFileError naming every problem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problem = FileProblem(str(path), None, f"cannot be read ({exc.strerror or exc})")
        raise DataFileError([problem]) from exc
    return parse_rules(data, str(path))


def default_rules() -> RuleSet:
    """The rule set shipped with the app."""
    return parse_rules(resource("rules", DEFAULT_FILE).read_bytes(), DEFAULT_FILE)


@dataclass(frozen=True)
class RulesReloaded:
    """A reload succeeded: ``rules`` is now in force, replacing ``previous``."""

    rules: RuleSet
    previous: RuleSet


@dataclass(frozen=True)
class RulesRefused:
    """A reload was refused: ``error`` lists the problems and ``kept`` stays in force."""

    error: DataFileError
    kept: RuleSet


class RulesInForce:
    """The rule set in force; a reload with an invalid file keeps the last valid one."""

    def __init__(self, rules: RuleSet) -> None:
        self._rules = rules

    @property
    def rules(self) -> RuleSet:
        """The rule set in force now."""
        return self._rules

    def reload(self, path: Path) -> RulesReloaded | RulesRefused:
        """Load ``path`` and put it in force, or refuse it and keep the current rule set."""
        try:
            loaded = load_rules(path)
        except DataFileError as exc:
            return RulesRefused(exc, self._rules)
        previous, self._rules = self._rules, loaded
        return RulesReloaded(loaded, previous)
