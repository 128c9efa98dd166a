"""Plaza: a self-hosted social platform."""

__version__ = "0.1.0"
