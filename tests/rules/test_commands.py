"""``assess`` and ``rules test`` through the real command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from casebuilder import case, obs, symptom

from infusion_monitor.cli import main
from infusion_monitor.resources import resource

CASES = Path(__file__).parents[1] / "clinical" / "cases"


def test_assess_prints_the_spec_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", str(CASES / "V03.json")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == [
        "id",
        "at_minute",
        "ruleset",
        "news2",
        "brown",
        "niaid_2006",
        "niaid_criteria",
        "wao_2020",
        "wao_criteria",
        "derived",
        "ctcae",
        "priority",
        "pathways",
        "actions",
        "vitals_interval_min",
        "epinephrine_im_dose_mg",
        "observe_after_resolution_min",
        "findings",
    ]
    assert out["ruleset"]["name"] == "default" and out["ctcae"]["version"] == "5.0"


def test_assess_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = case(symptoms=[symptom("flushing", 5)])
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(data)))
    assert main(["assess", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["brown"] == "mild"


def test_unknown_keys_are_assessed_with_a_warning_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "noted.json"
    path.write_text(json.dumps(case(title="ward note", symptoms=[symptom("rash", 2)])), "utf-8")
    assert main(["assess", str(path)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["brown"] == "mild"
    assert captured.err == "warning: title: unknown key, ignored (check its spelling)\n"


def test_invalid_input_goes_to_stderr_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(case(observations=[obs(1, spo2=101)])), encoding="utf-8")
    assert main(["assess", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "observations[0].spo2: 101 is above the maximum 100" in captured.err
    assert main(["assess", str(tmp_path / "missing.json")]) == 2
    assert "cannot be read" in capsys.readouterr().err


def test_assess_with_a_site_rule_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site.toml"
    text = resource("rules", "default.toml").read_text(encoding="utf-8")
    site.write_text(text.replace("fever_temp_c = 38.0", "fever_temp_c = 38.5"), encoding="utf-8")
    assert main(["assess", "--rules", str(site), str(CASES / "V08.json")]) == 0
    assert json.loads(capsys.readouterr().out)["derived"]["fever"] is False


def test_rules_test_reports_failures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wrong = json.loads((CASES / "V17.json").read_text(encoding="utf-8"))
    wrong["id"] = "V07"
    (tmp_path / "named-by-id.json").write_text(json.dumps(wrong), encoding="utf-8")
    wrong["expect"] = {"brown": "severe", "actions": ["stop_infusion"], "news2.nope": 1}
    (tmp_path / "V07.json").write_text(json.dumps(wrong), encoding="utf-8")
    no_expect = {k: v for k, v in wrong.items() if k not in ("expect", "id")}
    (tmp_path / "N1.json").write_text(json.dumps(no_expect), encoding="utf-8")
    (tmp_path / "B1.json").write_text("{", encoding="utf-8")
    files = [
        str(CASES / "V03.json"),
        *(str(tmp_path / n) for n in ("named-by-id.json", "V07.json", "N1.json", "B1.json")),
    ]
    assert main(["rules", "test", *files]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "PASS V03"
    assert lines[1] == "PASS V07"  # a case is named by its id, not its file name
    assert lines[2] == (
        "FAIL V07: brown expected severe, got moderate; news2.nope expected 1, got nothing"
    )
    assert lines[3] == "FAIL N1: the case has no expect block"
    assert lines[4].startswith("FAIL B1: malformed JSON")
    assert lines[-1] == "2 passed, 3 failed"
