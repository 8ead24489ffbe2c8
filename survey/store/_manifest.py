"""The manifest: one JSON file listing every wave of the store (format in docs/store.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from survey._meta import utc_now
from survey.errors import StoreError
from survey.store._fs import write_atomic

__all__ = ["FORMAT", "FORMAT_VERSION", "MANIFEST", "Manifest", "WaveEntry"]

MANIFEST = "manifest.json"
FORMAT = "survey-store"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class WaveEntry:
    """One stored version of a wave, as the manifest records it.

    ``file`` is relative to the store root; ``sha256`` and ``bytes`` are the Parquet
    file's; ``source_*`` describe the file that was ingested.  ``pii`` records what was
    dropped or hashed at rest.  ``previous`` lists replaced versions (kept until prune).
    """

    wave: str
    file: str
    sha256: str
    bytes: int
    rows: int
    columns: int
    codebook_survey: str
    codebook_version: str
    codebook_sha256: str
    source_file: str
    source_sha256: str
    source_bytes: int
    ingested_at: str
    toolkit_version: str
    validation: dict[str, Any] = field(default_factory=dict)
    pii: dict[str, Any] = field(default_factory=dict)
    replaced_at: str | None = None
    previous: tuple[WaveEntry, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "wave": self.wave,
            "file": self.file,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "rows": self.rows,
            "columns": self.columns,
            "codebook": {"survey": self.codebook_survey, "version": self.codebook_version,
                         "sha256": self.codebook_sha256},
            "source": {"file": self.source_file, "sha256": self.source_sha256,
                       "bytes": self.source_bytes},
            "ingested_at": self.ingested_at,
            "toolkit_version": self.toolkit_version,
            "validation": self.validation,
            "pii": self.pii,
        }
        if self.replaced_at is not None:
            d["replaced_at"] = self.replaced_at
        d["previous"] = [p.to_dict() for p in self.previous]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WaveEntry:
        return cls(
            wave=str(d["wave"]),
            file=str(d["file"]),
            sha256=str(d["sha256"]),
            bytes=int(d["bytes"]),
            rows=int(d["rows"]),
            columns=int(d["columns"]),
            codebook_survey=str(d["codebook"]["survey"]),
            codebook_version=str(d["codebook"]["version"]),
            codebook_sha256=str(d["codebook"]["sha256"]),
            source_file=str(d["source"]["file"]),
            source_sha256=str(d["source"]["sha256"]),
            source_bytes=int(d["source"]["bytes"]),
            ingested_at=str(d["ingested_at"]),
            toolkit_version=str(d["toolkit_version"]),
            validation=dict(d.get("validation") or {}),
            pii=dict(d.get("pii") or {}),
            replaced_at=d.get("replaced_at"),
            previous=tuple(cls.from_dict(p) for p in d.get("previous") or ()),
        )

    def files(self) -> tuple[str, ...]:
        """This version's file and every previous version's."""
        return (self.file, *(f for p in self.previous for f in p.files()))


@dataclass(frozen=True)
class Manifest:
    """Every wave in the store, keyed by wave id; plus the store's panel keys."""

    waves: dict[str, WaveEntry] = field(default_factory=dict)
    panel_keys: tuple[str, ...] = ()
    updated_at: str | None = None

    @classmethod
    def read(cls, root: Path) -> Manifest:
        path = root / MANIFEST
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls()
        try:
            raw = json.loads(text)
            if raw.get("format") != FORMAT:
                raise ValueError(f"'format' is {raw.get('format')!r}, not {FORMAT!r}")
            if int(raw.get("format_version", 0)) > FORMAT_VERSION:
                raise ValueError(f"format_version {raw['format_version']} is newer than this "
                                 f"toolkit reads ({FORMAT_VERSION})")
            waves = {str(k): WaveEntry.from_dict(v) for k, v in raw.get("waves", {}).items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StoreError(f"the manifest cannot be read: {exc}", location=str(path),
                             hint="restore manifest.json from a backup; the Parquet files "
                                  "under waves/ are intact and readable directly") from None
        return cls(waves=waves, panel_keys=tuple(raw.get("panel_keys") or ()),
                   updated_at=raw.get("updated_at"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "updated_at": self.updated_at,
            "panel_keys": list(self.panel_keys),
            "waves": {w: self.waves[w].to_dict() for w in sorted(self.waves)},
        }

    def write(self, root: Path) -> Manifest:
        """Replace the manifest atomically (the commit point of every change)."""
        new = replace(self, updated_at=utc_now())
        data = json.dumps(new.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n"
        write_atomic(root / MANIFEST, data.encode("utf-8"))
        return new

    def with_wave(self, entry: WaveEntry) -> Manifest:
        return replace(self, waves={**self.waves, entry.wave: entry})

    def without_wave(self, wave: str) -> Manifest:
        return replace(self, waves={w: e for w, e in self.waves.items() if w != wave})

    def referenced_files(self) -> set[str]:
        return {f for e in self.waves.values() for f in e.files()}


