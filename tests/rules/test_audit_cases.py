"""The independent audit cases (hand-derived from rules-spec.md) through the real command line.

``rules test`` compares lists as "must contain"; rules-spec §5 also fixes the order of
``pathways`` and ``actions`` and what they leave out, so those two are compared exactly here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from casebuilder import BASELINE
from casefiles import assert_all_pass, case_files

from infusion_monitor.cli import main

CASES = case_files("audit_cases")


def test_the_audit_folder_holds_at_least_40_cases() -> None:
    assert len(CASES) >= 40


def test_every_audit_case_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert_all_pass(CASES, capsys)


@pytest.mark.parametrize("path", CASES, ids=lambda path: path.stem)
def test_pathways_and_actions_are_exact(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expect = json.loads(path.read_text(encoding="utf-8"))["expect"]
    assert main(["assess", str(path)]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("pathways", "actions"):
        if key in expect:
            assert out[key] == expect[key], key


def _with_observation(**changes: Any) -> dict[str, Any]:
    return {"baseline": BASELINE, "observations": [{"minute": 10, **BASELINE, **changes}]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            json.dumps({"baseline": {k: v for k, v in BASELINE.items() if k != "rr"}}),
            "baseline.rr: missing",
        ),
        (json.dumps(_with_observation(acvpu="N")), "observations[0].acvpu"),
        (json.dumps(_with_observation(spo2=101)), "observations[0].spo2: 101"),
        (json.dumps(_with_observation(hr=400)), "observations[0].hr: 400"),
        (json.dumps(_with_observation(temp_c=101.3)), "looks like °F"),
        (json.dumps(_with_observation(temp_c=44.05)), "observations[0].temp_c: 44.1"),
        (json.dumps(_with_observation(sbp=120, dbp=120)), "observations[0].dbp"),
        (json.dumps(_with_observation(acvpu="X")), "observations[0].acvpu"),
        (json.dumps(_with_observation(hr=98.5)), "observations[0].hr: 98.5"),
        (json.dumps(_with_observation(hr=True)), "observations[0].hr"),
        (json.dumps({"baseline": BASELINE, "patient": {"spo2_scale": 3}}), "patient.spo2_scale"),
        (json.dumps({"baseline": BASELINE, "patient": {"age_years": -1}}), "patient.age_years"),
        (json.dumps({"baseline": BASELINE, "patient": {"age_years": 121}}), "patient.age_years"),
        (
            json.dumps(
                {
                    "baseline": BASELINE,
                    "symptoms": [{"code": "rash", "onset_minute": 10, "resolved_minute": 9}],
                }
            ),
            "symptoms[0].resolved_minute",
        ),
        (
            json.dumps({"baseline": BASELINE, "symptoms": [{"code": "hives", "onset_minute": 1}]}),
            "symptoms[0].code",
        ),
        (
            json.dumps({"baseline": BASELINE, "course": [{"minute": 1, "action": "adrenaline"}]}),
            "course[0].action",
        ),
        (
            json.dumps({"baseline": BASELINE, "course": [{"action": "oxygen"}]}),
            "course[0].minute: missing",
        ),
        (
            json.dumps({"baseline": BASELINE, "symptoms": [{"code": "rash"}]}),
            "symptoms[0].onset_minute: missing",
        ),
        ('{"baseline": {"hr": 80,, }', "malformed JSON"),
    ],
)
def test_bad_input_exits_2_naming_the_field(
    text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    assert main(["assess", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
