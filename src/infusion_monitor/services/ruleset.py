"""Which rule set is in force, as the status bar shows it (until the rules loader exists)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.abc import Traversable
from pathlib import Path

SHORT_HASH_CHARS = 12


@dataclass(frozen=True)
class RuleSetInfo:
    """The rule set in force: its version (None if none is loaded), a label and a tooltip."""

    version: str | None
    label: str
    detail: str


def describe_rule_set(source: Traversable | Path) -> RuleSetInfo:
    """Describe the rule-set file at ``source`` by the SHA-256 of its content.

    The status bar shows the first characters of the hash, the tooltip the whole of it. A missing
    or unreadable file means no rule set is loaded.
    """
    try:
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
    except OSError:
        return RuleSetInfo(None, "Rules: no rule set loaded", f"{source} could not be read")
    return RuleSetInfo(
        f"sha256:{digest}",
        f"Rules sha256 {digest[:SHORT_HASH_CHARS]}",
        f"{source}\nSHA-256 {digest}",
    )
