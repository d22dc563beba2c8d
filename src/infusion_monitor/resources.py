"""Find the files shipped in the top-level ``resources/`` folder (rules, protocols, sounds)."""

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path


def resource_root() -> Traversable:
    """Return the shipped resources folder.

    An installed wheel carries it as ``infusion_monitor/resources``; a source checkout
    (editable install) has it at the top of the repository.
    """
    packaged = resources.files("infusion_monitor").joinpath("resources")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Traversable:
    """Return one shipped resource, e.g. ``resource("rules", "default.toml")``."""
    node = resource_root()
    for part in parts:
        node = node.joinpath(part)
    return node
