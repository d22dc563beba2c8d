"""Bad input everywhere: case JSON, rule sets, protocols and vitals never raise a traceback.

Each parser either accepts the input or refuses it with a UserError whose message names the
field (or file and line) at fault. Inputs are valid files with one value replaced by a random
one, random JSON/TOML shapes, and random bytes.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infusion_monitor.domain.protocol_library import parse_protocol
from infusion_monitor.domain.vitals import VITAL_LIMITS, plausibility, reject_reason
from infusion_monitor.errors import UserError
from infusion_monitor.resources import resource
from infusion_monitor.rules.case import parse_case
from infusion_monitor.rules.loader import parse_rules

CASES = sorted((Path(__file__).parents[1] / "clinical" / "cases").glob("*.json"))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside nested dicts and lists."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _replace(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


def _refused_well(exc: UserError) -> None:
    assert exc.message.strip(), "a refusal must say what is wrong"
    assert "Traceback" not in exc.message


@FUZZ
@given(st.sampled_from(CASES), st.data(), json_values)
def test_case_with_one_value_replaced_is_accepted_or_refused_naming_the_field(
    case_file: Path, data: st.DataObject, new: Any
) -> None:
    document = json.loads(case_file.read_text(encoding="utf-8"))
    document.pop("expect", None)
    path = data.draw(st.sampled_from(_paths(document)))
    try:
        parse_case(json.dumps(_replace(document, path, new)))
    except UserError as exc:
        _refused_well(exc)
        named = [str(step) for step in path if isinstance(step, str)]
        assert any(name in exc.message for name in named), (path, exc.message)


@FUZZ
@given(st.one_of(st.text(max_size=200), json_values.map(json.dumps)))
def test_any_text_as_a_case_is_refused_with_a_message(text: str) -> None:
    try:
        parse_case(text)
    except UserError as exc:
        _refused_well(exc)


def _toml_files() -> list[tuple[str, bytes]]:
    rules = resource("rules/default.toml").read_bytes()
    protocols = [
        ("protocol", file.read_bytes())
        for file in sorted(resource("protocols").iterdir(), key=lambda f: f.name)
        if file.name.endswith(".toml")
    ]
    return [("rules", rules), *protocols[:4]]


TOML_FILES = _toml_files()
_ASSIGNMENT = re.compile(rb"^(\s*[A-Za-z0-9_.\"-]+\s*=\s*)(.+)$", re.MULTILINE)
toml_values = st.sampled_from(
    [b'""', b"-1", b"0", b"1e400", b"nan", b"inf", b"true", b"[]", b"{}", b'"x"', b"99999999999"]
) | st.binary(max_size=12)


def _parse(kind: str, content: bytes) -> None:
    if kind == "rules":
        parse_rules(content, "fuzz.toml")
    else:
        parse_protocol(content, "fuzz.toml")


@FUZZ
@given(st.sampled_from(TOML_FILES), st.data(), toml_values)
def test_rule_set_or_protocol_with_one_value_replaced_names_the_file_and_line(
    file: tuple[str, bytes], data: st.DataObject, new: bytes
) -> None:
    kind, content = file
    matches = list(_ASSIGNMENT.finditer(content))
    chosen = data.draw(st.sampled_from(matches))
    changed = content[: chosen.start(2)] + new + content[chosen.end(2) :]
    try:
        _parse(kind, changed)
    except UserError as exc:
        _refused_well(exc)
        assert "fuzz.toml" in exc.message


@FUZZ
@given(st.sampled_from(["rules", "protocol"]), st.binary(max_size=300))
def test_random_bytes_as_a_rule_set_or_protocol_are_refused_with_a_message(
    kind: str, content: bytes
) -> None:
    try:
        _parse(kind, content)
    except UserError as exc:
        _refused_well(exc)
        assert "fuzz.toml" in exc.message


@FUZZ
@given(
    st.sampled_from(sorted(VITAL_LIMITS)),
    st.decimals(allow_nan=True, allow_infinity=True) | st.integers(),
)
def test_any_vital_value_gets_a_tier_and_a_rejection_names_the_value(
    name: str, value: Decimal | int
) -> None:
    reason = reject_reason(name, value)
    tier = plausibility(name, value)
    assert (reason is None) == (tier.value != "reject")
    if reason is not None:
        assert reason
