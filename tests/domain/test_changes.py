"""The change record: merges, names its sessions, and survives the trip through JSON."""

from infusion_monitor.domain.changes import EVERYTHING, NOTHING, Changes


def test_nothing_is_empty_and_any_part_is_not() -> None:
    assert NOTHING.empty
    assert not Changes(staff=True).empty
    assert not Changes(vitals=frozenset({3})).empty


def test_two_commits_are_one_change_to_show() -> None:
    merged = Changes(vitals=frozenset({1}), board=True) | Changes(alerts=frozenset({2}))
    assert merged == Changes(vitals=frozenset({1}), alerts=frozenset({2}), board=True)
    assert merged.session_ids == {1, 2}


def test_json_round_trip_is_small_and_exact() -> None:
    record = Changes(sessions=frozenset({7}), care=frozenset({7, 2}), settings=True)
    text = record.to_json()
    assert text == '{"sessions":[7],"care":[2,7],"settings":true}'
    assert Changes.from_json(text) == record
    assert Changes.from_json('{"future":1}') == NOTHING


def test_everything_says_re_read_all_and_survives_merge_and_json() -> None:
    merged = Changes(vitals=frozenset({4})) | EVERYTHING
    assert merged.everything and merged.board and merged.staff and merged.settings
    assert Changes.from_json(EVERYTHING.to_json()) == EVERYTHING
    assert not EVERYTHING.empty
