"""Drug protocol files: every shipped one validates; a broken one is refused with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from infusion_monitor.cli import main
from infusion_monitor.datafile import DataFileError
from infusion_monitor.domain.protocol import Advice, Premedication
from infusion_monitor.domain.protocol_library import (
    load_library,
    load_protocols,
    parse_protocol,
    protocol_version,
    shipped_protocol_files,
)
from infusion_monitor.errors import UserError

REQUIRED_IDS = {
    "rituximab-first",
    "rituximab-later",
    "daratumumab-first",
    "paclitaxel",
    "docetaxel",
    "carboplatin",
    "oxaliplatin",
    "cetuximab",
    "trastuzumab",
    "infliximab",
    "pembrolizumab",
    "vedolizumab",
    "ivig",
    "iv-iron",
    "iron-dextran",
    "vancomycin",
    "amphotericin-b",
    "generic",
}

MINIMAL = """\
id = "test-drug"
name = "Test drug"
drug = "test-drug"
applies_to = "Every infusion"

[risk]
profile = "Reactions in the first minutes."
high_risk_cycles = [1, 2]

[[premedication]]
code = "h1_antihistamine"
advice = "give"
note = "Before every infusion."

[rate]
unit = "mg/h"
start = 50
max = 400
increase_by = 50
every_min = 30
step_checks = ["recent_vitals", "no_symptoms"]

[vitals]
baseline_within_min = 30
early_checks_min = [15, 30]
interval_min = 60
high_risk_interval_min = 30
after_rate_change_min = 15
end_of_infusion = true

[observation]
minutes = 30
check_every_min = 30
"""


def _refusal(text: str) -> list[str]:
    with pytest.raises(DataFileError) as caught:
        parse_protocol(text.encode(), "site.toml")
    return str(caught.value).splitlines()


def test_every_shipped_protocol_validates() -> None:
    library = load_library()
    assert set(library.protocols) >= REQUIRED_IDS
    assert len(library) == len(shipped_protocol_files())


def test_every_shipped_protocol_names_its_source_in_comments() -> None:
    for node in shipped_protocol_files():
        text = node.read_text(encoding="utf-8")
        assert "reference.md" in text, node.name
        assert "§6" in text, node.name


def test_label_rate_escalations_are_carried_exactly() -> None:
    library = load_library()
    first = library.get("rituximab-first").protocol.rate
    later = library.get("rituximab-later").protocol.rate
    dara = library.get("daratumumab-first").protocol.rate
    assert first is not None and later is not None and dara is not None
    assert (first.unit, first.start, first.increase_by, first.every_min, first.max) == (
        "mg/h", 50, 50, 30, 400,
    )  # fmt: skip
    assert (later.start, later.increase_by, later.every_min, later.max) == (100, 100, 30, 400)
    assert (dara.unit, dara.start, dara.increase_by, dara.every_min, dara.max) == (
        "mL/h", 50, 50, 60, 200,
    )  # fmt: skip
    ivig = library.get("ivig").protocol.rate
    assert ivig is not None and (ivig.unit, ivig.start, ivig.max) == ("mg/kg/min", 0.5, 8)
    assert not ivig.escalates  # the label as quoted gives no step size: none is invented


def test_risk_windows_are_data() -> None:
    library = load_library()
    carboplatin = library.get("carboplatin").protocol
    paclitaxel = library.get("paclitaxel").protocol
    assert [carboplatin.risk.is_high_risk(cycle) for cycle in (1, 5, 6, 9)] == [
        False, False, True, True,
    ]  # fmt: skip
    assert [paclitaxel.risk.is_high_risk(cycle) for cycle in (1, 2, 3)] == [True, True, False]
    assert paclitaxel.regular_interval_min(1) == 30
    assert paclitaxel.regular_interval_min(3) == 60
    iron = library.get("iv-iron").protocol
    assert [(p.code, p.advice) for p in iron.premedication] == [
        (Premedication.H1_ANTIHISTAMINE, Advice.AVOID)
    ]
    dextran = library.get("iron-dextran").protocol
    assert dextran.test_dose is not None and dextran.test_dose.wait_min == 60
    assert library.get("cetuximab").protocol.observation.minutes == 60


def test_next_rate_steps_up_to_the_maximum() -> None:
    rate = load_library().get("rituximab-first").protocol.rate
    assert rate is not None
    assert rate.next_rate(50) == 100
    assert rate.next_rate(375) == 400
    assert rate.next_rate(400) is None


def test_version_is_the_sha256_of_the_file_bytes() -> None:
    loaded = parse_protocol(MINIMAL.encode(), "x.toml")
    assert loaded.version == protocol_version(MINIMAL.encode())
    assert loaded.version.startswith("sha256:") and len(loaded.version) == 7 + 64
    assert parse_protocol((MINIMAL + "\n").encode(), "x.toml").version != loaded.version


def test_unknown_key_is_refused_with_its_line() -> None:
    text = MINIMAL.replace("interval_min = 60", "interval_min = 60\nintervall_min = 45")
    assert "site.toml:27: vitals.intervall_min: unknown key" in _refusal(text)[0]


def test_out_of_range_value_is_refused_with_its_line() -> None:
    lines = _refusal(MINIMAL.replace("minutes = 30", "minutes = 2000"))
    assert lines[0].startswith("site.toml:32: observation.minutes: Input should be less than")


def test_unknown_premedication_code_is_refused() -> None:
    lines = _refusal(MINIMAL.replace('code = "h1_antihistamine"', 'code = "antihistamine"'))
    assert lines[0].startswith("site.toml:11: premedication.0.code: Input should be")


def test_unknown_step_check_and_unit_are_refused() -> None:
    text = MINIMAL.replace('"no_symptoms"]', '"pump_check"]').replace('"mg/h"', '"mg/hr"')
    lines = _refusal(text)
    assert lines[0].startswith("site.toml:16: rate.unit: Input should be")
    assert lines[1].startswith("site.toml:21: rate.step_checks.1: Input should be")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (("start = 50", "start = 500"), "start is above max"),
        (("increase_by = 50\n", ""), "increase_by and every_min go together"),
        (('"recent_vitals", ', ""), 'needs "recent_vitals" in step_checks'),
        (("[15, 30]", "[30, 15]"), "early_checks_min must be increasing"),
        (("high_risk_interval_min = 30", "high_risk_interval_min = 90"), "longer than interval"),
        (("check_every_min = 30", "check_every_min = 45"), "longer than the observation"),
    ],
)
def test_inconsistent_values_are_refused(change: tuple[str, str], reason: str) -> None:
    lines = _refusal(MINIMAL.replace(*change))
    assert reason in lines[0]
    assert lines[0].startswith("site.toml:")


def test_zero_observation_needs_no_checks() -> None:
    text = MINIMAL.replace("minutes = 30\ncheck_every_min = 30", "minutes = 0")
    assert parse_protocol(text.encode(), "x.toml").protocol.observation.minutes == 0


def test_problems_of_all_files_are_reported_together(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(MINIMAL.replace("max = 400", "max = -1"), encoding="utf-8")
    (tmp_path / "b.toml").write_text(MINIMAL.replace("[risk]", "[risks]"), encoding="utf-8")
    (tmp_path / "c.toml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "d.toml").write_text(MINIMAL, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_protocols(sorted(tmp_path.glob("*.toml")))
    text = str(caught.value)
    assert f"{tmp_path / 'a.toml'}:18: rate.max:" in text
    assert f"{tmp_path / 'b.toml'}:6: risks: unknown key" in text
    assert (
        f"{tmp_path / 'd.toml'}: id: 'test-drug' is already used by {tmp_path / 'c.toml'}" in text
    )


def test_site_folder_replaces_a_shipped_protocol(tmp_path: Path) -> None:
    (tmp_path / "generic.toml").write_text(
        MINIMAL.replace('id = "test-drug"', 'id = "generic"'), encoding="utf-8"
    )
    library = load_library(tmp_path)
    assert library.get("generic").protocol.name == "Test drug"
    assert library.get("paclitaxel").protocol.name == "Paclitaxel"


def test_unknown_protocol_id_names_the_known_ones() -> None:
    with pytest.raises(UserError, match=r"no drug protocol 'rituximab'.*rituximab-first"):
        load_library().get("rituximab")


def test_not_utf8_is_refused() -> None:
    with pytest.raises(DataFileError, match=r"x\.toml: not UTF-8"):
        parse_protocol(b"name = '\xff'", "x.toml")


def test_cli_check_exits_1_with_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        MINIMAL.replace("minutes = 30", "minutes = -1").replace("[vitals]", "[vital]"),
        encoding="utf-8",
    )
    assert main(["protocols", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:23: vital: unknown key" in err
    assert f"{bad}:32: observation.minutes:" in err


def test_cli_check_accepts_the_shipped_files_and_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["protocols", "check"]) == 0
    (tmp_path / "x.toml").write_text(MINIMAL, encoding="utf-8")
    assert main(["protocols", "check", str(tmp_path)]) == 0
    assert "1 protocol file(s) valid" in capsys.readouterr().out
    assert main(["protocols", "check", str(tmp_path / "missing")]) == 2


def test_cli_list_shows_key_facts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["protocols", "list"]) == 0
    out = capsys.readouterr().out
    assert "rituximab-first" in out
    assert "rate 50 mg/h +50 every 30 min max 400" in out
    assert "high risk from cycle 6" in out
    assert "test dose 0.5 mL (25 mg), wait 60" in out
