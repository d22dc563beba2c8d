"""Data files are refused with the file, line and reason of every problem."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from infusion_monitor.datafile import DataFileError, key_lines, load_toml_model


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    after_min: int = Field(ge=0)
    rate: float


class Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid")
    low_sbp: int = Field(ge=40, le=200)
    priority: Literal["low", "medium", "high"]


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    limits: Threshold
    step: list[Step] = []


GOOD = """\
name = "sample"

[limits]
low_sbp = 90   # source: NIAID 2006
priority = "high"

[[step]]
after_min = 30
rate = 100

[[step]]
after_min = 60
rate = 150
"""


def test_valid_file_loads() -> None:
    loaded = load_toml_model(GOOD, "good.toml", Sample)
    assert loaded.limits.low_sbp == 90
    assert [step.rate for step in loaded.step] == [100, 150]


def test_every_problem_is_named_with_file_line_and_reason() -> None:
    bad = GOOD.replace("low_sbp = 90", "low_sbp = 9").replace(
        'priority = "high"', 'priorty = "high"'
    )
    bad = bad.replace("after_min = 60", "after_min = -5")
    with pytest.raises(DataFileError) as caught:
        load_toml_model(bad, "site.toml", Sample)
    text = str(caught.value).splitlines()
    assert text[0] == "site.toml:3: limits.priority: Field required"
    assert text[1].startswith("site.toml:4: limits.low_sbp: Input should be greater than or equal")
    assert any(line.startswith("site.toml:5: limits.priorty: unknown key") for line in text)
    assert any(line.startswith("site.toml:12: step.1.after_min:") for line in text)
    assert caught.value.exit_code == 1


def test_toml_syntax_error_names_its_line() -> None:
    with pytest.raises(DataFileError) as caught:
        load_toml_model('name = "x"\n[limits\n', "broken.toml", Sample)
    assert str(caught.value).startswith("broken.toml:2: not valid TOML:")


def test_missing_top_level_key_names_the_file_without_a_line() -> None:
    with pytest.raises(DataFileError) as caught:
        load_toml_model("[limits]\nlow_sbp = 90\npriority = 'low'\n", "x.toml", Sample)
    assert str(caught.value) == "x.toml: name: Field required"


def test_key_lines_handles_quoted_dotted_keys_and_multiline_strings() -> None:
    text = 'a."b.c" = 1\ntext = """\nnot = a key\n"""\n[t]\nk = 2\n'
    lines = key_lines(text)
    assert lines[("a", "b.c")] == 1
    assert ("not",) not in lines
    assert lines[("t", "k")] == 6
