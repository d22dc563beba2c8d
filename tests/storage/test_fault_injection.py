"""20 SIGKILLs at random moments in a stream of saves: no confirmed save is ever lost."""

from __future__ import annotations

import random
from pathlib import Path

from infusion_monitor.storage.crashtrial import check_survivors, run_trial

TRIALS = 20


def test_no_confirmed_save_is_lost_across_20_kills(data_dir: Path) -> None:
    rng = random.Random(20260302)
    every_confirmed: list[int] = []
    for trial in range(TRIALS):
        _, confirmed = run_trial(data_dir, rng, max_confirmations=25)
        every_confirmed += confirmed
        checked = check_survivors(data_dir, every_confirmed)
        assert checked.lost == [], f"trial {trial}: confirmed saves lost"
        assert checked.chain_intact, f"trial {trial}: audit chain broken"
        assert checked.quick_check_ok, f"trial {trial}: file damaged"
    assert len(every_confirmed) > TRIALS  # the trials really saved and confirmed entries
