"""The clinical core's plain data: vital signs, symptoms and course actions (no Qt, no storage)."""
