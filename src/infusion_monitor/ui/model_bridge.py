"""The thin Qt adapter of the unit model: change records in, the model applied on the GUI thread.

Records come from two places and take one path. A local use case's outcome is applied at once
with what the outcome carries (:meth:`ModelBridge.publish`), then what it names is re-read off
the GUI thread; a commit from elsewhere arrives from the change feed's thread
(:meth:`ModelBridge.submit`) and is only re-read. The loader's results cross to the GUI thread
through a queued signal, so the model (and every widget mirroring it) is touched on one thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from infusion_monitor.domain.changes import Changes
from infusion_monitor.model.loader import Read, UnitLoader
from infusion_monitor.model.unit import NOTHING_READ, Fresh, UnitModel


class ModelBridge(QObject):
    """Feeds the unit model: applies outcomes at once, re-reads records on the loader."""

    #: A record arrived from another thread (the feed), to expand and queue on the GUI thread.
    _arrived = Signal(object)
    #: The loader read what a record names (``Changes``, ``Fresh``).
    _loaded = Signal(object, object)

    def __init__(self, model: UnitModel, read: Read, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._arrived.connect(self._on_arrived, Qt.ConnectionType.QueuedConnection)
        self._loaded.connect(self._on_loaded, Qt.ConnectionType.QueuedConnection)
        self._loader = UnitLoader(read, self._loaded.emit)
        self._loader.start()

    def submit(self, changes: Changes) -> None:
        """A commit made anywhere (called on any thread, e.g. the change feed's)."""
        self._arrived.emit(changes)

    def publish(self, changes: Changes, fresh: Fresh = NOTHING_READ) -> None:
        """A local outcome (GUI thread): apply what it carries now, re-read the rest."""
        self.model.apply(changes, fresh)
        self.reread(changes)

    def reread(self, changes: Changes) -> None:
        """Queue a re-read of what ``changes`` names (GUI thread)."""
        self._loader.submit(self.model.expand(changes), self.model.wanted)

    def close(self) -> None:
        """Stop the loader."""
        self._loader.close()

    def _on_arrived(self, changes: Changes) -> None:
        self.reread(changes)

    def _on_loaded(self, changes: Changes, fresh: Fresh) -> None:
        self.model.apply(changes, fresh)
