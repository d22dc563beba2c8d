"""Review of finished sessions: the gate, the list, one session's detail, the quality page."""
