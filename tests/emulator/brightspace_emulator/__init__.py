"""Brightspace (D2L Valence) API emulator for the d2l.brightspace collection's tests."""
from .app import create_app  # noqa: F401
from .config import Config  # noqa: F401

__all__ = ["create_app", "Config"]
