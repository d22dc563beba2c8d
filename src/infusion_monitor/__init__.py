"""Infusion Monitor: chair-side monitoring of IV infusions for infusion reactions."""

__version__ = "0.1.0"
