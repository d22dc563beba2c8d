"""The charge nurse's review: the session list, one session's detail, and the quality page."""
