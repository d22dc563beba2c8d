"""``expect`` semantics: dotted keys, lists must contain, objects key by key."""

from __future__ import annotations

from infusion_monitor.rules.expect import matches, mismatches

OUTPUT = {
    "news2": {"score": 6, "parameters": {"rr": 2, "hr": 1}},
    "pathways": ["a", "b"],
    "flag": True,
    "pct": 3.1,
}


def test_dotted_keys_lists_and_objects() -> None:
    expect = {"news2.score": 6, "pathways": ["b"], "news2.parameters": {"rr": 2}, "pct": 3.1}
    assert mismatches(expect, OUTPUT) == []


def test_mismatch_lines() -> None:
    expect = {"news2.score": 5, "pathways": ["c"], "news2.parameters": {"rr": 3}, "flag": 1}
    assert mismatches(expect, OUTPUT) == [
        "news2.score expected 5, got 6",
        'pathways expected ["c"], got ["a", "b"]',
        'news2.parameters expected {"rr": 3}, got {"rr": 2, "hr": 1}',
        "flag expected 1, got true",
    ]


def test_type_strictness() -> None:
    assert not matches([1], {"a": 1})
    assert not matches({"a": 1}, [1])
    assert not matches({"a": 1}, {"b": 1})
    assert not matches(True, 1)
    assert matches(1, 1.0)
