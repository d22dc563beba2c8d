"""The clinical rules engine: criteria as pure functions, a rule-set file, and ``assess``."""
