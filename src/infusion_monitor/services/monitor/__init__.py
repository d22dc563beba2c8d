"""The monitor feed: bedside monitors' sets stored like typed ones; bed mappings."""
