"""Suite-wide settings: property tests have no per-example deadline, so a loaded CI
machine cannot turn a slow example into a failure; the example count stays fixed.

``make test`` and CI draw the same examples on every run (``derandomize``), so a red run
is reproducible and a green one is not luck. Exploring with fresh random examples, as
we do before merging property-tested changes: ``SURVEY_HYPOTHESIS_RANDOM=1 make test``."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("suite", deadline=None, print_blob=True,
                          derandomize=not os.environ.get("SURVEY_HYPOTHESIS_RANDOM"))
settings.load_profile("suite")
