"""Headless sub-commands of ``infusion-monitor``; each module adds its parser with ``register``."""
