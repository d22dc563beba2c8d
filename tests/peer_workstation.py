"""Another workstation, in its own process: a nurse signs in and starts a session in a chair.

    python tests/peer_workstation.py DATABASE_URL DATA_DIR CHAIR

Goes through the same services the window's controller calls (sign-in, set-up, start), then
prints ``started <session id>`` and exits. Used by the two-workstation unit-board test.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from infusion_monitor.domain.clock import SystemClock
from infusion_monitor.paths import AppPaths
from infusion_monitor.rules.loader import default_rules
from infusion_monitor.services.assessing import AssessingService
from infusion_monitor.services.auth import AuthService
from infusion_monitor.services.sessions import SessionRef, SessionService
from infusion_monitor.storage.database import open_database
from session_helpers import draft, library


def main(url: str, data_dir: str, chair: str) -> int:
    """Sign in as N001, set up and start a session in ``chair``; print its id."""
    clock = SystemClock()
    rules = default_rules()
    with open_database(url, AppPaths.resolve(Path(data_dir))) as database:
        actor = AuthService(database.sessions, clock, workstation="PEER").sign_in("N001", "1234")
        service = SessionService(
            database.sessions,
            library(),
            lambda: rules,
            clock,
            (chair,),
            assessing=AssessingService(lambda: rules),
        )
        detail = service.set_up(draft(clock, chair=chair, mrn="MRN-PEER-9"), actor).detail
        service.start(SessionRef(detail.id, detail.version), actor)
    print(f"started {detail.id}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
