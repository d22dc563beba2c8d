"""Load drug protocol files: the shipped library, optionally overlaid by a site's own folder.

Every file is validated against ``DrugProtocol``; problems in all files are gathered and raised
together (``file:line: reason``), so one run of ``protocols check`` shows everything to fix. A
protocol's version is the SHA-256 of its file's bytes, recorded with every session it governs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.abc import Traversable
from pathlib import Path

from infusion_monitor.datafile import DataFileError, FileProblem, load_toml_model
from infusion_monitor.domain.protocol import DrugProtocol
from infusion_monitor.errors import UserError
from infusion_monitor.resources import resource

PROTOCOL_SUFFIX = ".toml"


@dataclass(frozen=True)
class LoadedProtocol:
    """A validated protocol with the version (content hash) and the file it came from."""

    protocol: DrugProtocol
    version: str
    file: str


@dataclass(frozen=True)
class ProtocolLibrary:
    """The protocols in force, by id."""

    protocols: dict[str, LoadedProtocol]

    def get(self, protocol_id: str) -> LoadedProtocol:
        """The protocol with ``protocol_id``; a UserError naming the known ids if there is none."""
        try:
            return self.protocols[protocol_id]
        except KeyError:
            known = ", ".join(sorted(self.protocols))
            raise UserError(
                f"There is no drug protocol {protocol_id!r}. Known protocols: {known}."
            ) from None

    def __iter__(self) -> Iterator[LoadedProtocol]:
        """The protocols in id order."""
        return iter(self.protocols[key] for key in sorted(self.protocols))

    def __len__(self) -> int:
        return len(self.protocols)


def protocol_version(content: bytes) -> str:
    """The version of a protocol file: ``sha256:`` and the hex digest of its bytes."""
    return "sha256:" + hashlib.sha256(content).hexdigest()


def parse_protocol(content: bytes, file: str) -> LoadedProtocol:
    """Validate one protocol file's bytes; DataFileError lists every problem with its line."""
    try:
        text = content.decode("utf-8-sig")  # Notepad may add a byte-order mark
    except UnicodeDecodeError as exc:
        reason = f"not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        raise DataFileError([FileProblem(file, None, reason)]) from exc
    protocol = load_toml_model(text, file, DrugProtocol)
    return LoadedProtocol(protocol, protocol_version(content), file)


def shipped_protocol_files() -> list[Traversable]:
    """The protocol files shipped with the app, in name order."""
    folder = resource("protocols")
    return sorted(
        (node for node in folder.iterdir() if node.name.endswith(PROTOCOL_SUFFIX)),
        key=lambda node: node.name,
    )


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given and the ``*.toml`` files of folders; a missing path is a UserError."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob(f"*{PROTOCOL_SUFFIX}")))
        elif path.is_file():
            files.append(path)
        else:
            raise UserError(f"{path}: no such file or folder. Give a protocol file or a folder.")
    return files


def load_protocols(files: Sequence[Traversable]) -> dict[str, LoadedProtocol]:
    """Validate ``files`` and return their protocols by id.

    Raises one DataFileError with the problems of every file, including an id used twice.
    """
    loaded: dict[str, LoadedProtocol] = {}
    problems: list[FileProblem] = []
    for node in files:
        label = str(node)
        try:
            entry = parse_protocol(node.read_bytes(), label)
        except DataFileError as exc:
            problems.extend(exc.problems)
            continue
        first = loaded.get(entry.protocol.id)
        if first is not None:
            reason = f"id: {entry.protocol.id!r} is already used by {first.file}"
            problems.append(FileProblem(label, None, reason))
            continue
        loaded[entry.protocol.id] = entry
    if problems:
        raise DataFileError(problems)
    return loaded


def load_library(site_folder: Path | None = None) -> ProtocolLibrary:
    """The shipped protocols, with a site folder's protocols replacing those of the same id."""
    protocols = load_protocols(shipped_protocol_files())
    if site_folder is not None:
        protocols.update(load_protocols(expand_paths([site_folder])))
    return ProtocolLibrary(protocols)
