"""Suite-wide settings: property tests have no per-example deadline, so a loaded CI
machine cannot turn a slow example into a failure; the example count stays fixed."""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("suite", deadline=None, print_blob=True)
settings.load_profile("suite")
