"""Infusion sessions: set-up, lifecycle commands, session reads, chair and unit boards."""
