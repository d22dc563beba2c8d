"""The rules' findings in a nurse's words: what was found, on what evidence, at what clock time.

The rules engine names its findings by rule ID (``niaid_2006.criterion1``) and its evidence in
minutes since the start (``urticaria since minute 10``), as its contract says. People read
``NIAID/FAAN 2006: criterion 1`` and ``Hives (urticaria) since 10:42, 10 min after the start``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from infusion_monitor.domain.symptoms import SYMPTOMS

#: Measurements as the rules name them, as a nurse writes them.
_MEASURES = {"rr": "RR", "hr": "HR", "spo2": "SpO2", "sbp": "systolic BP", "temp": "temperature"}
_MINUTE = re.compile(r"\b(since|at) minute (\d+(?:\.\d+)?)")
_NUMBERED = re.compile(r"([a-z]+)(\d+)$")


def words(code: str) -> str:
    """``deterioration_urgent`` → ``deterioration urgent``; ``criterion1`` → ``criterion 1``."""
    return " ".join(_NUMBERED.sub(r"\1 \2", part) for part in code.split("_"))


def finding_title(rule: str, source: str) -> str:
    """``niaid_2006.criterion1`` from ``NIAID/FAAN 2006`` → ``NIAID/FAAN 2006: criterion 1``."""
    _, _, criterion = rule.partition(".")
    return f"{source}: {words(criterion.replace('.', ' '))}" if criterion else source


def evidence_words(item: str, start: datetime | None) -> str:
    """One evidence line in words: symptom names, measurement names, local clock times."""
    head, _, rest = item.partition(" ")
    if head in SYMPTOMS:
        item = f"{SYMPTOMS[head].label} {rest}"
    elif head in _MEASURES:
        item = f"{_MEASURES[head]} {rest}"

    def clock(match: re.Match[str]) -> str:
        minutes = round(float(match.group(2)))
        if start is None:
            return f"{match.group(1)} {minutes} min after the start"
        at = (start + timedelta(minutes=minutes)).astimezone()
        return f"{match.group(1)} {at:%H:%M}, {minutes} min after the start"

    return _MINUTE.sub(clock, item)
