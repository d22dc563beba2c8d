"""Use cases over storage and the clinical core; Qt-free, so the UI and the CLI share them."""
