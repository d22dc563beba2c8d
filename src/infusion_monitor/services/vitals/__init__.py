"""Vital signs: record, amend and skip checks; the schedule; the trend."""
