"""Rule-set files: loaded with a version, refused with file, line and reason; reload keeps one."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from infusion_monitor.cli import main
from infusion_monitor.datafile import DataFileError
from infusion_monitor.resources import resource
from infusion_monitor.rules.loader import (
    RulesInForce,
    RulesRefused,
    RulesReloaded,
    default_rules,
    load_rules,
    parse_rules,
)

DEFAULT = resource("rules", "default.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refusal(text: str) -> list[str]:
    with pytest.raises(DataFileError) as caught:
        parse_rules(text.encode(), "site.toml")
    return [str(problem) for problem in caught.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_default_loads_with_name_and_sha256_version() -> None:
    rules = default_rules()
    data = resource("rules", "default.toml").read_bytes()
    assert rules.name == "default"
    assert rules.version == "sha256:" + hashlib.sha256(data).hexdigest()


def test_unknown_key_is_refused_with_its_line() -> None:
    text = DEFAULT.replace("sbp_fall_pct = 30", "sbp_fall_pc = 30")
    line = line_of(text, "sbp_fall_pc = 30")
    assert any(
        p.startswith(f"site.toml:{line}: derived.sbp_fall_pc: unknown key") for p in refusal(text)
    )


def test_threshold_out_of_range_is_refused_with_its_line() -> None:
    text = DEFAULT.replace("hypoxia_spo2_max = 92", "hypoxia_spo2_max = 920")
    (problem,) = refusal(text)
    assert problem.startswith(f"site.toml:{line_of(text, '= 920')}: derived.hypoxia_spo2_max:")


def test_action_code_outside_the_vocabulary_is_refused() -> None:
    text = DEFAULT.replace('"watch_airway"', '"watch_airways"')
    (problem,) = refusal(text)
    line = line_of(text, 'actions = ["stop_infusion", "notify_provider_now"')
    assert problem.startswith(f"site.toml:{line}: pathways.airway_watch.actions.2:")
    assert "'watch_airways' is not an action code" in problem


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('symptoms = ["angioedema",', 'symptoms = ["hives",', "'hives' is not a symptom code"),
        ('bronchodilator = "wheeze"', 'bronchodilator = "wheezing"', "neither a derived sign"),
        ('bronchodilator = "wheeze"', 'vitals_q15min = "wheeze"', "not listed: vitals_q15min"),
        ('priority = "medium"', 'priority = "urgent"', "Input should be"),
        ('check_line_site = "Check', 'check_line_sites = "Check', "is not an action code"),
    ],
)
def test_other_vocabulary_mistakes(old: str, new: str, expected: str) -> None:
    assert any(expected in problem for problem in refusal(DEFAULT.replace(old, new, 1)))


def test_an_action_without_text_is_refused() -> None:
    text = "\n".join(line for line in DEFAULT.splitlines() if not line.startswith("watch_airway"))
    (problem,) = refusal(text)
    line = line_of(text, "[action_text]")
    assert (
        problem
        == f"site.toml:{line}: action_text: Value error, no text for the action codes watch_airway"
    )


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot be read"):
        load_rules(tmp_path / "missing.toml")
    with pytest.raises(DataFileError, match="not UTF-8"):
        parse_rules(b"name = '\xff'", "bad.toml")


def test_reload_keeps_the_last_valid_rule_set(tmp_path: Path) -> None:
    holder = RulesInForce(default_rules())
    site = write(tmp_path, DEFAULT.replace('name = "default"', 'name = "site"'))
    reloaded = holder.reload(site)
    assert isinstance(reloaded, RulesReloaded)
    assert (reloaded.rules.name, reloaded.previous.name, holder.rules.name) == (
        "site",
        "default",
        "site",
    )
    broken = write(tmp_path, DEFAULT.replace("= 360", "= -1"))
    refused = holder.reload(broken)
    assert isinstance(refused, RulesRefused)
    assert refused.kept is holder.rules and holder.rules.name == "site"
    assert "exposure.window_after_end_min" in str(refused.error)


def test_rules_check_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK default.toml: rule set 'default', version sha256:")
    bad = write(tmp_path, DEFAULT.replace("sbp_fall_pct = 30", "sbp_fall_pct = 300"))
    assert main(["rules", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"{bad}:{line_of(bad.read_text(encoding='utf-8'), '= 300')}: derived.sbp_fall_pct:"
    )


def test_rules_check_defaults_to_the_configured_file(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir.mkdir()
    write(data_dir, DEFAULT.replace('name = "default"', 'name = "ward 7"'))
    (data_dir / "config.toml").write_text('[rules]\nfile = "site.toml"\n', encoding="utf-8")
    assert main(["rules", "check"]) == 0
    assert "rule set 'ward 7'" in capsys.readouterr().out
    absolute = data_dir / "site.toml"
    (data_dir / "config.toml").write_text(f'[rules]\nfile = "{absolute}"\n', encoding="utf-8")
    assert main(["rules", "check"]) == 0
