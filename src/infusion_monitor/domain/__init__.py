"""Pure value objects and arithmetic of the clinical core: no Qt, no SQL, no clock reads."""
