"""The wave store: ingest, list, show, remove, prune and verify waves on disk."""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import polars as pl

from survey._meta import toolkit_version, utc_now
from survey.codebook import Codebook, codebook_to_dict, parse_codebook
from survey.errors import StoreError, ValidationError
from survey.frames import TypedSurvey, read_survey, write_typed_parquet
from survey.frames._parquet import META_CODEBOOK
from survey.io import Limits
from survey.store._fs import TMP_PREFIX, StoreLock, file_sha256, fsync_dir
from survey.store._manifest import Manifest, WaveEntry
from survey.store._pii import PiiPlan, default_key_path, plan_pii, read_or_create_key

__all__ = ["DEFAULT_STORE", "IngestResult", "WaveStore"]

DEFAULT_STORE = "survey-store"
_WAVE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
IngestStatus = Literal["added", "replaced", "unchanged"]


def codebook_sha256(codebook: Codebook) -> str:
    """Identity of a codebook's content (its file path excluded)."""
    text = json.dumps(codebook_to_dict(codebook), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plan(m: Manifest, codebook: Codebook, keep_pii: bool, panel_key: str | None) -> PiiPlan:
    """What to drop and hash: the codebook's pii and panel key, and the store's panel keys."""
    return plan_pii(codebook, keep=keep_pii, panel_keys=tuple(k for k in (*m.panel_keys, panel_key) if k))


def _raise_if_invalid(survey: TypedSurvey) -> None:
    """The report's ValidationError, carrying the typed survey too (for a rejects file)."""
    try:
        survey.report.raise_if_invalid()
    except ValidationError as exc:
        exc.survey = survey  # type: ignore[attr-defined]
        raise


@dataclass(frozen=True)
class IngestResult:
    """What :meth:`WaveStore.ingest` did: ``added``, ``replaced`` or ``unchanged``."""

    status: IngestStatus
    entry: WaveEntry
    message: str


class WaveStore:
    """Survey waves on disk: one Parquet file per wave version and a JSON manifest.

    Writers (ingest, remove, prune) take an exclusive lock; readers need none, since
    the manifest is replaced atomically and names only complete, fsynced files.

    Parameters
    ----------
    root
        The store directory (created on first ingest). Default ``./survey-store``.
    key_file
        The HMAC key that hashes respondent ids and panel keys; default ``<root>.key``
        beside the store, created (mode 0600) on first use.
    wait
        Seconds a writer waits for another writer's lock before giving up (default 0:
        refuse at once with "the store is busy"); ``on_wait(holder)`` is called when a
        wait begins.

    Examples
    --------
    >>> store = WaveStore("survey-store")  # doctest: +SKIP
    >>> cb = load_codebook("schemas/academy_member_survey.yaml")  # doctest: +SKIP
    >>> store.ingest("sample_data/academy_2025.xlsx", cb, wave="2025").status  # doctest: +SKIP
    'added'
    """

    def __init__(self, root: str | Path = DEFAULT_STORE, *, key_file: str | Path | None = None,
                 wait: float = 0.0, on_wait: Callable[[str], None] | None = None) -> None:
        self.root = Path(root)
        self.key_file = Path(key_file) if key_file is not None else default_key_path(self.root)
        self.wait = wait
        self.on_wait = on_wait

    def __repr__(self) -> str:
        return f"WaveStore({str(self.root)!r})"

    # ------------------------------------------------------------------ reading
    def manifest(self) -> Manifest:
        if self.root.exists() and not self.root.is_dir():
            raise StoreError("not a directory", location=str(self.root),
                             hint="give --store a directory (created on first ingest)")
        return Manifest.read(self.root)

    def waves(self) -> list[WaveEntry]:
        """Every wave, sorted by wave id."""
        m = self.manifest()
        return [m.waves[w] for w in sorted(m.waves)]

    def entry(self, wave: str) -> WaveEntry:
        m = self.manifest()
        if wave not in m.waves:
            known = ", ".join(sorted(m.waves)) or "none"
            raise StoreError(f"no wave {wave!r} in the store (waves: {known})", location=str(self.root),
                             hint="`survey waves list` shows the waves")
        return m.waves[wave]

    def path(self, wave: str) -> Path:
        """The Parquet file of a wave's current version."""
        return self.root / self.entry(wave).file

    def codebook(self, wave: str) -> Codebook:
        """The codebook a wave was ingested with (stored in its Parquet metadata)."""
        p = self.path(wave)
        meta = pl.read_parquet_metadata(p)
        return parse_codebook(json.loads(meta[META_CODEBOOK]), path=f"{p}#codebook")

    def scan(self, wave: str) -> pl.LazyFrame:
        """The wave as stored (its own codebook's terms), lazily."""
        return pl.scan_parquet(self.path(wave))

    def verify(self) -> list[str]:
        """Check every listed file (current and previous): present, size, SHA-256, rows.

        Returns the problems found (empty when the store is consistent).
        """
        problems = []
        for e in self.waves():
            for v in (e, *e.previous):
                p = self.root / v.file
                if not p.is_file():
                    problems.append(f"wave {e.wave}: {v.file} is missing")
                    continue
                if p.stat().st_size != v.bytes or file_sha256(p) != v.sha256:
                    problems.append(f"wave {e.wave}: {v.file} does not match its SHA-256")
                    continue
                rows = pl.scan_parquet(p).select(pl.len()).collect().item()
                if rows != v.rows:
                    problems.append(f"wave {e.wave}: {v.file} has {rows} rows, manifest says {v.rows}")
        return problems

    # ------------------------------------------------------------------ writing
    def ingest(
        self,
        source: str | Path,
        codebook: Codebook,
        *,
        wave: str,
        replace: bool = False,
        keep_pii: bool = False,
        panel_key: str | None = None,
        sheet: str | None = None,
        encoding: str | None = None,
        limits: Limits = Limits(),
    ) -> IngestResult:
        """Validate ``source`` with ``codebook`` and add it to the store as ``wave``.

        Idempotent: the same file with the same codebook is a no-op (``unchanged``).
        A different file for an existing wave raises :class:`StoreError` unless
        ``replace=True``; the replaced version stays listed under ``previous`` until
        :meth:`prune`.  A file that fails validation raises
        :class:`~survey.errors.ValidationError` (with ``.report`` and ``.survey``) and
        writes nothing.
        ``keep_pii=True`` stores ``pii`` questions and unhashed ids (default: dropped
        and HMAC-SHA256 hashed).  ``panel_key`` names a further question to hash so
        that waves can be linked (default: the codebook's ``harmonize.panel_key``).
        """
        src = Path(source)
        if not src.is_file():
            raise StoreError("no such file", location=str(src), hint="check the path of the export")
        self._check_wave_id(wave)
        source_sha = file_sha256(src)
        with self._writing(f"ingest {src.name} as wave {wave}"):
            early = self._idempotent(wave, source_sha, codebook, keep_pii, replace, panel_key)
            if early is not None:
                return early
            survey = read_survey(src, codebook, sheet=sheet, encoding=encoding, limits=limits)
            _raise_if_invalid(survey)
            return self._commit(survey, wave=wave, source_name=src.name, source_sha=source_sha,
                                source_bytes=src.stat().st_size, keep_pii=keep_pii,
                                panel_key=panel_key)

    def add(
        self,
        survey: TypedSurvey,
        *,
        wave: str,
        source_name: str,
        source_sha256: str,
        source_bytes: int = 0,
        replace: bool = False,
        keep_pii: bool = False,
        panel_key: str | None = None,
    ) -> IngestResult:
        """Add an already typed survey (e.g. built in memory); same rules as :meth:`ingest`."""
        self._check_wave_id(wave)
        with self._writing(f"ingest {source_name} as wave {wave}"):
            early = self._idempotent(wave, source_sha256, survey.codebook, keep_pii, replace,
                                     panel_key)
            if early is not None:
                return early
            _raise_if_invalid(survey)
            return self._commit(survey, wave=wave, source_name=source_name, source_sha=source_sha256,
                                source_bytes=source_bytes, keep_pii=keep_pii, panel_key=panel_key)

    def remove(self, wave: str) -> WaveEntry:
        """Take a wave (and its previous versions) out of the store; delete its files."""
        with self._writing(f"remove wave {wave}"):
            m = self.manifest()
            if wave not in m.waves:
                raise StoreError(f"no wave {wave!r} in the store", location=str(self.root),
                                 hint="`survey waves list` shows the waves")
            entry = m.waves[wave]
            m.without_wave(wave).write(self.root)  # the commit point
            for f in entry.files():
                (self.root / f).unlink(missing_ok=True)
            self._remove_empty_dirs()
            return entry

    def prune(self) -> list[str]:
        """Forget replaced versions and delete every file the manifest does not list.

        Returns the deleted paths (relative to the store): previous versions, and
        leftovers of interrupted writes (``.tmp-*`` files, unlisted Parquet).
        """
        with self._writing("prune"):
            m = self.manifest()
            if any(e.previous for e in m.waves.values()):
                m = Manifest(waves={w: replace(e, previous=()) for w, e in m.waves.items()},
                             panel_keys=m.panel_keys).write(self.root)
            keep = m.referenced_files()
            deleted = []
            for p in sorted(self._wave_files()):
                rel = p.relative_to(self.root).as_posix()
                if rel not in keep:
                    p.unlink(missing_ok=True)
                    deleted.append(rel)
            for p in self.root.glob(f"{TMP_PREFIX}*"):
                p.unlink(missing_ok=True)
                deleted.append(p.name)
            self._remove_empty_dirs()
            return deleted

    # ------------------------------------------------------------------ internals
    @staticmethod
    def _check_wave_id(wave: str) -> None:
        if not _WAVE_ID.match(wave):
            raise StoreError(f"wave id {wave!r} is not valid",
                             hint="use letters, digits, '_', '.', '-' (e.g. 2025 or 2025-spring)")

    def _writing(self, action: str) -> StoreLock:
        self.manifest()  # a file where the store should be: refuse before creating anything
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "waves").mkdir(exist_ok=True)
        return StoreLock(self.root, action=action, wait=self.wait, on_wait=self.on_wait)

    def _idempotent(self, wave: str, source_sha: str, codebook: Codebook, keep_pii: bool,
                    replace: bool, panel_key: str | None) -> IngestResult | None:
        m = self.manifest()
        current = m.waves.get(wave)
        if current is None:
            return None
        same_cb = current.codebook_sha256 == codebook_sha256(codebook)
        same_pii = bool(current.pii.get("kept")) == keep_pii
        if replace and same_pii and not keep_pii:
            # --replace of the same file still re-ingests when the store now hashes more
            plan = _plan(m, codebook, keep_pii, panel_key)
            same_pii = list(plan.hashed) == list(current.pii.get("hashed") or [])
        if current.source_sha256 == source_sha and same_cb and same_pii:
            return IngestResult("unchanged", current,
                                f"wave {wave} already holds {current.source_file} "
                                f"(sha256 {source_sha[:12]}); nothing to do")
        if replace:
            return None
        what = ("a different file" if current.source_sha256 != source_sha
                else "the same file with a different codebook" if not same_cb
                else "the same file with a different --keep-pii setting")
        raise StoreError(
            f"wave {wave} already holds {current.source_file} (sha256 {current.source_sha256[:12]}, "
            f"{current.rows} rows, codebook {current.codebook_version}); this is {what}",
            location=str(self.root),
            hint="give --replace to store it as the new version (the old one stays until "
                 "`survey waves prune`), or choose another --wave",
        )

    def _commit(self, survey: TypedSurvey, *, wave: str, source_name: str, source_sha: str,
                source_bytes: int, keep_pii: bool, panel_key: str | None) -> IngestResult:
        m = self.manifest()
        cb = survey.codebook
        plan = _plan(m, cb, keep_pii, panel_key)
        key = read_or_create_key(self.key_file) if plan.hashed else None
        frame = plan.apply(survey.frame, key)
        wave_dir = self.root / "waves" / wave
        wave_dir.mkdir(parents=True, exist_ok=True)
        incoming = wave_dir / f"{TMP_PREFIX}{uuid.uuid4().hex}.parquet"
        try:
            write_typed_parquet(frame, incoming, codebook=cb,
                                source={"file": source_name, "sha256": source_sha, "wave": wave},
                                validation=survey.report.summary())
            sha = file_sha256(incoming)
            final = wave_dir / f"{sha[:16]}.parquet"
            os.replace(incoming, final)
        except BaseException:
            incoming.unlink(missing_ok=True)
            raise
        fsync_dir(wave_dir)
        fsync_dir(wave_dir.parent)
        current = m.waves.get(wave)
        now = utc_now()
        entry = WaveEntry(
            wave=wave, file=final.relative_to(self.root).as_posix(), sha256=sha,
            bytes=final.stat().st_size, rows=frame.height, columns=frame.width,
            codebook_survey=cb.survey, codebook_version=cb.version,
            codebook_sha256=codebook_sha256(cb), source_file=source_name,
            source_sha256=source_sha, source_bytes=source_bytes, ingested_at=now,
            toolkit_version=toolkit_version(), validation=survey.report.summary(),
            pii=plan.to_dict(key),
            previous=() if current is None else (
                replace(current, previous=(), replaced_at=now), *current.previous),
        )
        declared = cb.harmonize.panel_key if cb.harmonize is not None else None
        new_keys = tuple(dict.fromkeys((*m.panel_keys, *(k for k in (declared, panel_key)
                                                          if k and k in plan.hashed))))
        Manifest(waves={**m.waves, wave: entry}, panel_keys=new_keys).write(self.root)
        status: IngestStatus = "added" if current is None else "replaced"
        verb = "added" if current is None else f"replaced {current.source_file} in"
        message = (f"{verb} wave {wave}: {entry.rows} rows, {entry.columns} columns "
                   f"({cb.survey} {cb.version})")
        for k in new_keys:
            raw = [e.wave for e in m.waves.values() if e.wave != wave and not e.pii.get("kept")
                   and k not in (e.pii.get("hashed") or ()) and k in self._stored_columns(e)]
            if raw:
                message += (f"; note: panel key {k!r} is stored unhashed in wave(s) {', '.join(raw)} "
                            "(re-ingest them with --replace to hash it at rest)")
        return IngestResult(status, entry, message)

    def _stored_columns(self, entry: WaveEntry) -> list[str]:
        return pl.scan_parquet(self.root / entry.file).collect_schema().names()

    def _wave_files(self) -> Iterator[Path]:
        waves = self.root / "waves"
        if waves.is_dir():
            yield from (p for p in waves.rglob("*") if p.is_file())

    def _remove_empty_dirs(self) -> None:
        waves = self.root / "waves"
        if waves.is_dir():
            for d in waves.iterdir():
                if d.is_dir() and not any(d.iterdir()):
                    d.rmdir()


