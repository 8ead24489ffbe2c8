"""Waves on disk: Parquet plus a JSON manifest, atomic writes, a lock, harmonised loading.

Format: docs/store.md.  Writers take ``<store>/.lock``; readers take nothing.
"""

from survey.store._fs import StoreLock
from survey.store._harmonize import Harmonized
from survey.store._load import load, scan
from survey.store._manifest import Manifest, WaveEntry
from survey.store._store import DEFAULT_STORE, IngestResult, WaveStore

__all__ = [
    "DEFAULT_STORE",
    "Harmonized",
    "IngestResult",
    "Manifest",
    "StoreLock",
    "WaveEntry",
    "WaveStore",
    "load",
    "scan",
]
