"""``load``: waves from the store as one harmonised frame."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from survey.codebook import Codebook
from survey.errors import StoreError
from survey.store._harmonize import Harmonized, check_problems, harmonize_wave, newest_codebook
from survey.store._pii import hash_column, read_key
from survey.store._store import WaveStore

__all__ = ["load"]


def _key(ws: WaveStore) -> bytes | None:
    try:
        return read_key(ws.key_file)
    except StoreError:
        return None


def scan(
    store: str | Path | WaveStore = "survey-store",
    *,
    waves: Sequence[str] | str | None = None,
    codebook: Codebook | None = None,
) -> Harmonized:
    """:func:`load` without reading the rows: ``.lazy`` is the harmonised waves as a
    polars LazyFrame (estimates stream over it), ``.frame`` an empty frame of its columns.

    >>> scan("survey-store", waves="2025").lazy.select(pl.len()).collect()  # doctest: +SKIP
    """
    return load(store, waves=waves, codebook=codebook, lazy=True)


def load(
    store: str | Path | WaveStore = "survey-store",
    *,
    waves: Sequence[str] | str | None = None,
    codebook: Codebook | None = None,
    lazy: bool = False,
) -> Harmonized:
    """Load waves as one frame in the newest codebook's terms.

    Parameters
    ----------
    store
        The store directory (or a :class:`WaveStore`).
    waves
        Wave ids, in the order wanted (a list or ``"2023,2025"``); default every wave,
        sorted by id.
    codebook
        The codebook whose terms the frame takes; default the newest (by version) of
        the loaded waves' codebooks.  Its ``harmonize`` section maps earlier versions.

    Returns
    -------
    Harmonized
        ``.frame`` (``wave`` first, the codebook's typed columns, ``panel`` last),
        ``.not_asked`` and ``.notes`` per wave.  A question a wave did not ask is null
        in that wave and listed in ``not_asked``; it is never filled.

    Raises
    ------
    StoreError
        An unknown wave, or an earlier option or question with no counterpart (every
        such problem listed).

    Examples
    --------
    >>> h = load("survey-store", waves=["2023", "2025"])  # doctest: +SKIP
    >>> h.frame.group_by("wave").agg(pl.col("offer_countries__us").sum())  # doctest: +SKIP
    """
    ws = store if isinstance(store, WaveStore) else WaveStore(store)
    manifest = ws.manifest()
    if isinstance(waves, str):
        waves = [w.strip() for w in waves.split(",") if w.strip()]
    wanted = list(waves) if waves is not None else sorted(manifest.waves)
    unknown = [w for w in wanted if w not in manifest.waves]
    if unknown or not wanted:
        raise StoreError(f"no wave {', '.join(map(repr, unknown)) or 'at all'} in the store "
                         f"(waves: {', '.join(sorted(manifest.waves)) or 'none'})",
                         location=str(ws.root), hint="`survey waves list` shows the waves")
    if len(set(wanted)) != len(wanted):
        raise StoreError(f"a wave is listed twice: {', '.join(wanted)}")
    entries = [manifest.waves[w] for w in wanted]
    sources = {w: ws.codebook(w) for w in wanted}
    target = codebook or newest_codebook(list(sources.values()))
    key = target.panel_key
    hashed_by_wave = {e.wave: set(e.pii.get("hashed") or ()) for e in entries}
    all_hashed = set().union(*hashed_by_wave.values())
    problems: list[str] = []
    frames: list[pl.LazyFrame] = []
    not_asked: dict[str, tuple[str, ...]] = {}
    notes: dict[str, tuple[str, ...]] = {}
    wave_dtype = pl.Enum(wanted)
    plans = []
    hmac_key: bytes | None = None
    for e in entries:
        lf = pl.scan_parquet(ws.root / e.file)
        plan = harmonize_wave(lf.collect_schema().names(), sources[e.wave], target,
                              hashed=all_hashed)
        problems += [f"wave {e.wave}: {p}" for p in plan.problems]
        not_asked[e.wave] = tuple(plan.not_asked)
        wave_notes = list(plan.notes)
        if (key and key in all_hashed and key not in hashed_by_wave[e.wave]
                and key in lf.collect_schema().names()):
            if hmac_key is None:
                hmac_key = _key(ws)
            if hmac_key is not None:
                lf = lf.with_columns(pl.col(key).map_batches(
                    lambda s, k=hmac_key: hash_column(s, k), return_dtype=pl.String))
                wave_notes.append(f"{key}: stored unhashed, hashed now with the store key to link "
                                  f"panel members (re-ingest wave {e.wave} with --replace to hash "
                                  "it at rest)")
            else:
                wave_notes.append(f"{key}: stored unhashed while other waves hashed it and the key "
                                  f"file {ws.key_file} is unreadable; panel links with this wave are "
                                  "not possible")
        notes[e.wave] = tuple(wave_notes)
        plans.append((e, lf, plan))
    check_problems(problems, target)
    # pii columns no loaded wave stored are left out (not null columns of nothing)
    absent = set.intersection(*(set(p.not_stored) for _, _, p in plans))
    for e, lf, plan in plans:
        if plan.not_stored:
            gone = [c for c in plan.not_stored if c in absent]
            null = [c for c in plan.not_stored if c not in absent]
            notes[e.wave] += tuple(
                [f"not stored (pii, left out of the frame): {', '.join(gone)}"] if gone else []
            ) + tuple([f"not stored (pii, null here): {', '.join(null)}"] if null else [])
        keep = [x for x in plan.exprs if x.meta.output_name() not in absent]
        frames.append(lf.select(pl.lit(e.wave, wave_dtype).alias("wave"), *keep))
    fps = {e.pii.get("key_fingerprint") for e in entries if e.pii.get("hashed")}
    if len(fps) > 1:
        for e in entries:
            notes[e.wave] += ("ids were hashed with different keys across waves; panel links "
                              "between them are not possible",)
    both = pl.concat(frames, how="vertical")
    if key is not None:
        both = both.with_columns(
            (pl.col(key).is_not_null() & (pl.col("wave").n_unique().over(key) > 1)).alias("panel"))
    else:
        both = both.with_columns(pl.lit(False).alias("panel"))
    if lazy:
        return Harmonized(frame=pl.DataFrame(schema=both.collect_schema()), codebook=target,
                          waves=tuple(wanted), panel_key=key, not_asked=not_asked, notes=notes,
                          lazy=both)
    return Harmonized(frame=both.collect(), codebook=target, waves=tuple(wanted), panel_key=key,
                      not_asked=not_asked, notes=notes)
