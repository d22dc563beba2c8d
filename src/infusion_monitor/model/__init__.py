"""The unit model: what the screens show, Qt-free and evented; widgets mirror its events."""
