"""Helpers for rules tests: build case dictionaries and run them through the engine."""

from __future__ import annotations

import json
from typing import Any

import pytest
from casebuilder import Run

from infusion_monitor.rules.case import case_context, parse_case
from infusion_monitor.rules.engine import assess
from infusion_monitor.rules.loader import RuleSet, default_rules


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    """The shipped default rule set."""
    return default_rules()


@pytest.fixture
def run(rules: RuleSet) -> Run:
    """Assess a case dictionary (built with ``case``) and return the JSON output."""

    def _run(data: dict[str, Any], ruleset: RuleSet | None = None) -> dict[str, Any]:
        parsed = parse_case(json.dumps(data))
        chosen = ruleset or rules
        return assess(case_context(parsed, chosen), parsed.at).to_json(parsed.id)

    return _run
